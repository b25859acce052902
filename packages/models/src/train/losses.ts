/** The losses of the training loops: masked MSE and binary cross-entropy. */
import * as tf from '@tensorflow/tfjs-core';

/** Masked MSE: mean of (pred − target)² over valid pixels (all pixels without a mask). */
export function maskedMse(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor | null, maskCount: number): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.squaredDifference(pred, target);
    if (!mask) return tf.mean(sq) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(sq, mask)), pred.shape[0]! * maskCount) as tf.Scalar;
  });
}

/** Binary cross-entropy of probabilities `p` against a constant label. */
export function bce(p: tf.Tensor, label: 0 | 1): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(label === 1 ? tf.log(q) : tf.log1p(tf.neg(q)))) as tf.Scalar;
  });
}
