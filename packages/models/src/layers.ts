/**
 * Custom tfjs-layers layers used by the @twsa/models builders. Each is registered with
 * `tf.serialization.registerClass` when this module is imported (importing `@twsa/models` does that),
 * so `tf.loadLayersModel` can read saved models that contain them.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { runConvLstmRecomputed, runConvLstmUnrolled } from './conv-lstm-cell.js';
import {
  nativeBatchNormTraining,
  nativeConv2dBiasAct,
  nativeDenseBiasAct,
  nativeConvSupported,
  nativeFusedActive,
  NATIVE_CONV_ACTIVATIONS,
  type NativeConvActivation,
} from './backend/native-fused.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type LayerVariable = tfl.LayerVariable;
/** A tfjs-layers initializer instance. */
export type LayerInitializer = ReturnType<typeof tfl.initializers.zeros>;

function firstShape(inputShape: Shape | Shape[]): Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
}

function asList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/**
 * What {@link ConvLstm2dLayer} last computed, and from what. tfjs-layers' executor (4.22) applies a layer once per
 * output that the graph uses, so an encoder layer whose sequence, h and c all feed later layers would run three
 * times on the same inputs; a call that repeats the last one (same input tensors, same weight data, same gradient
 * tape, outputs still alive) returns clones of the last outputs instead, which is the same value on the same tape.
 */
interface ConvLstmCall {
  readonly inputs: readonly tf.Tensor[];
  readonly kernel: object;
  readonly bias: object;
  readonly tape: unknown;
  readonly gradientDepth: number;
  readonly outputs: readonly tf.Tensor[];
}

/** Configuration of {@link ConvLstm2dLayer}. */
export interface ConvLstm2dLayerArgs extends LayerArgs {
  /** Number of hidden channels F. */
  filters: number;
  /** Square kernel size k (odd). */
  kernelSize: number;
  /** Return the whole hidden sequence `[b, T, H, W, F]` (true) or only the last hidden state `[b, H, W, F]`. Default true. */
  returnSequences?: boolean;
  /** Also return the final states `h` and `c` (`[b, H, W, F]` each) as extra outputs. Default false. */
  returnState?: boolean;
  /** Initializer of the fused kernel. Default glorotUniform. */
  kernelInitializer?: LayerInitializer | 'zeros' | 'glorotUniform';
  /** Add 1 to the forget-gate bias at initialisation (Keras `unit_forget_bias`). Default true. */
  unitForgetBias?: boolean;
  /**
   * Backpropagate through time by recomputation (gradient checkpointing): the whole recurrence is one op whose
   * backward recomputes one step's gates at a time, instead of leaving ≈30 activations per step on the autodiff
   * tape. Same outputs and gradients.
   * - `true` (default): keeps each step's input states `(h, c)` and convolution output (6F channels per step) and
   *   recomputes the gate activations;
   * - `'full'`: keeps only `(h, c)` (2F channels per step) and also recomputes the convolution (one more
   *   convolution per step: ≈20 % slower on the paper preset);
   * - `false`: plain tfjs ops and autodiff.
   */
  recompute?: boolean | 'full';
}

/**
 * A 2-D convolutional LSTM (Shi et al. 2015) whose cell does ONE convolution per step over
 * `concat(x_t, h_{t-1})` with `4F` filters, then splits the result into the input, forget, candidate and
 * output gates (Keras' i, f, c, o order).
 *
 * ## Method
 * `z = conv(concat(x_t, h_{t-1}), W) + b`, `i = σ(z_i)`, `f = σ(z_f)`, `o = σ(z_o)` with σ = hard_sigmoid
 * (`clip(0.2x + 0.5, 0, 1)`, the Keras 2 default), `c_t = f·c_{t-1} + i·tanh(z_c)`, `h_t = o·tanh(c_t)`;
 * 'same' padding, stride 1. Parameters: kernel `[k, k, Cin + F, 4F]` plus bias `4F`, i.e.
 * `4F(k²(Cin + F) + 1)`, the same count as Keras' ConvLSTM2D. With `recompute` (the default) the backward pass
 * recomputes each step's gates from saved per-step tensors (see `runConvLstmRecomputed`), so training memory grows
 * by 6F (or, with `'full'`, 2F) channels per step rather than by the whole step's activations. A call that repeats the previous one (same
 * input tensors, weights and gradient tape, as tfjs-layers' executor does once per used output) returns clones of
 * its outputs instead of running the recurrence again.
 *
 * **Input shape:** `[batch, time, rows, cols, Cin]`, optionally followed by the initial states
 * `h0, c0` of shape `[batch, rows, cols, F]` as extra inputs (a list `[x, h0, c0]`); without them the
 * states start at zero. Unlike tfjs' `convLstm2d`, symbolic initial states work.
 *
 * **Output shape:** `[batch, time, rows, cols, F]` (returnSequences) or `[batch, rows, cols, F]`; with
 * returnState, a list `[output, h, c]`.
 */
export class ConvLstm2dLayer extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'TwsaConvLstm2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly unitForgetBias: boolean;
  readonly recompute: boolean | 'full';
  private readonly kernelInit: LayerInitializer;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;
  private lastCall?: ConvLstmCall;

  constructor(args: ConvLstm2dLayerArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.returnSequences = args.returnSequences ?? true;
    this.returnState = args.returnState ?? false;
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.recompute = args.recompute ?? true;
    const init = args.kernelInitializer ?? 'glorotUniform';
    this.kernelInit =
      init === 'zeros'
        ? tfl.initializers.zeros()
        : init === 'glorotUniform'
          ? tfl.initializers.glorotUniform({})
          : init;
  }

  override build(inputShape: Shape | Shape[]): void {
    const x = firstShape(inputShape);
    const cin = x[4];
    if (x.length !== 5 || cin == null)
      throw new Error(`TwsaConvLstm2D expects [batch, time, rows, cols, channels], got [${x.join(', ')}]`);
    const k = this.kernelSize;
    const F = this.filters;
    this.kernel = this.addWeight('kernel', [k, k, cin + F, 4 * F], 'float32', this.kernelInit);
    this.bias = this.addWeight('bias', [4 * F], 'float32', tfl.initializers.zeros());
    if (this.unitForgetBias) {
      const b = new Float32Array(4 * F);
      b.fill(1, F, 2 * F);
      tf.tidy(() => {
        this.bias!.write(tf.tensor1d(b));
      });
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const x = firstShape(inputShape);
    const [b, t, r, c] = x;
    const state: Shape = [b ?? null, r ?? null, c ?? null, this.filters];
    const out: Shape = this.returnSequences ? [b ?? null, t ?? null, r ?? null, c ?? null, this.filters] : state;
    return this.returnState ? [out, state, [...state]] : out;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const list = asList(inputs);
      const x = list[0] as tf.Tensor5D;
      const h0 = (list[1] ?? null) as tf.Tensor4D | null;
      const c0 = (list[2] ?? null) as tf.Tensor4D | null;
      if ((h0 === null) !== (c0 === null))
        throw new Error('TwsaConvLstm2D takes both initial states [x, h0, c0] or neither');
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const bias = this.bias!.read() as tf.Tensor1D;
      const engine = tf.engine().state;
      const last = this.lastCall;
      const repeated =
        last !== undefined &&
        last.inputs.length === list.length &&
        last.inputs.every((t, i) => t === list[i] && !t.isDisposed) &&
        last.kernel === kernel.dataId &&
        last.bias === bias.dataId &&
        last.tape === engine.activeTape &&
        last.gradientDepth === engine.gradientDepth &&
        last.outputs.every((t) => !t.isDisposed);
      let outputs: tf.Tensor[];
      if (repeated) {
        outputs = last.outputs.map((t) => tf.clone(t));
      } else {
        const { sequence, h, c } =
          this.recompute === false
            ? runConvLstmUnrolled(x, h0, c0, kernel, bias, this.returnSequences)
            : runConvLstmRecomputed(x, h0, c0, kernel, bias, this.returnSequences, this.recompute !== 'full');
        outputs = this.returnState ? [sequence ?? h, h, c] : [sequence ?? h];
        this.lastCall = {
          inputs: list,
          kernel: kernel.dataId,
          bias: bias.dataId,
          tape: engine.activeTape,
          gradientDepth: engine.gradientDepth,
          outputs,
        };
      }
      return this.returnState ? outputs : outputs[0]!;
    });
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    this.lastCall = undefined;
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      unitForgetBias: this.unitForgetBias,
      recompute: this.recompute,
    };
  }
}
tf.serialization.registerClass(ConvLstm2dLayer);

/** Configuration of {@link ResizeLayer}. */
export interface ResizeLayerArgs extends LayerArgs {
  /** Output rows. */
  height: number;
  /** Output columns. */
  width: number;
}

/**
 * Bilinear resize of a batch of images (`tf.image.resizeBilinear`, alignCorners false), differentiable.
 * tfjs-layers' own `Resizing` layer mis-computes its output shape when a batch dimension is present.
 *
 * **Input shape:** `[batch, rows, cols, channels]`. **Output shape:** `[batch, height, width, channels]`.
 */
export class ResizeLayer extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'TwsaResize';
  readonly height: number;
  readonly width: number;
  constructor(args: ResizeLayerArgs) {
    super(args);
    this.height = args.height;
    this.width = args.width;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const x = firstShape(inputShape);
    return [x[0] ?? null, this.height, this.width, x[3] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.image.resizeBilinear(asList(inputs)[0] as tf.Tensor4D, [this.height, this.width]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}
tf.serialization.registerClass(ResizeLayer);

/**
 * Takes the last time step of a sequence, keeping a time axis of length 1 (the ConvLSTM forecaster's input).
 *
 * **Input shape:** `[batch, time, ...rest]`. **Output shape:** `[batch, 1, ...rest]`.
 */
export class LastStepLayer extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'TwsaLastStep';
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const x = firstShape(inputShape);
    return [x[0] ?? null, 1, ...x.slice(2)];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = asList(inputs)[0]!;
      const [batch, steps] = [x.shape[0]!, x.shape[1]!];
      const rest = x.size / (batch * steps);
      const last = tf.slice(tf.reshape(x, [batch, steps, rest]), [0, steps - 1, 0], [batch, 1, rest]);
      return tf.reshape(last, [batch, 1, ...x.shape.slice(2)]);
    });
  }
}
tf.serialization.registerClass(LastStepLayer);

/** Configuration of {@link SequenceBatchNormLayer}. */
export interface SequenceBatchNormLayerArgs extends LayerArgs {
  /** Moving-average momentum. Default 0.99 (Keras). */
  momentum?: number;
  /** Variance epsilon. Default 1e-3 (Keras). */
  epsilon?: number;
}

/**
 * Batch normalisation over the last axis of inputs of any rank ≥ 2, e.g. ConvLSTM sequences
 * `[batch, time, rows, cols, C]` (tfjs-layers' BatchNormalization stops at rank 4).
 *
 * ## Method
 * Training: `y = γ·(x − μ_B)/√(σ²_B + ε) + β` with μ_B, σ²_B over every axis but the last, and
 * `moving ← moving − (moving − batch)·(1 − momentum)`; inference uses the moving statistics. Parameters as
 * Keras' BatchNormalization: γ, β trainable, moving mean and variance non-trainable (4C in all).
 *
 * **Input shape:** `[batch, ..., C]`. **Output shape:** same as the input.
 */
export class SequenceBatchNormLayer extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'TwsaSequenceBatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;
  private movingMean?: LayerVariable;
  private movingVariance?: LayerVariable;
  constructor(args: SequenceBatchNormLayerArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
  }
  override build(inputShape: Shape | Shape[]): void {
    const x = firstShape(inputShape);
    const c = x[x.length - 1];
    if (c == null) throw new Error('TwsaSequenceBatchNorm needs a defined last axis');
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = asList(inputs)[0]!;
      const gamma = this.gamma!.read();
      const beta = this.beta!.read();
      if (kwargs['training'] !== true) {
        return tf.add(
          tf.mul(
            tf.div(tf.sub(x, this.movingMean!.read()), tf.sqrt(tf.add(this.movingVariance!.read(), this.epsilon))),
            gamma,
          ),
          beta,
        );
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon))), gamma), beta);
      const decay = 1 - this.momentum;
      for (const [variable, value] of [
        [this.movingMean!, mean],
        [this.movingVariance!, variance],
      ] as const) {
        tf.tidy(() => {
          const old = variable.read();
          variable.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
        });
      }
      return y;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(SequenceBatchNormLayer);

type Conv2dArgs = Parameters<typeof tfl.layers.conv2d>[0];
type BatchNormArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
type DenseArgs = Parameters<typeof tfl.layers.dense>[0];
/** A tfjs-layers class as a base to extend (its own constructor arguments are a superset of LayerArgs). */
type LayerClass = typeof tfl.layers.Layer;

/** tfjs-layers' own classes, taken before {@link Conv2dLayer} and {@link BatchNormLayer} replace their registration. */
const StockConv2D = Object.getPrototypeOf(tfl.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as LayerClass;
const StockDense = Object.getPrototypeOf(tfl.layers.dense({ units: 1 })).constructor as LayerClass;
const StockBatchNormalization = Object.getPrototypeOf(tfl.layers.batchNormalization()).constructor as LayerClass;

/** Fields of tfjs-layers' Conv2D (private in its typings) read by {@link Conv2dLayer}. */
interface ConvFields {
  readonly kernel: LayerVariable;
  readonly bias: LayerVariable | null;
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly dilationRate: number | number[];
  readonly activation: { getClassName(): string };
}

/**
 * tfjs-layers' `Conv2D`, registered under the same class name (`Conv2D`) so saved models and weights are unchanged,
 * that runs `activation(conv + bias)` as one fused op on the native TensorFlow engine, forward and backward
 * (`backend/native-fused.ts`). On the JS backends, and for configurations the fused op does not cover (no bias,
 * dilation, channels-first, other activations), it is tfjs-layers' Conv2D exactly.
 */
export class Conv2dLayer extends StockConv2D {
  /** @nocollapse */
  static className = 'Conv2D';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as ConvFields;
    const x = asList(inputs)[0]!;
    const dilations = typeof f.dilationRate === 'number' ? [f.dilationRate] : f.dilationRate;
    const activation = f.activation.getClassName();
    const supported = nativeConvSupported({
      rank: x.rank,
      strides: f.strides,
      dilations,
      padding: f.padding,
      dataFormat: f.dataFormat,
      activation,
      hasBias: f.bias != null,
    });
    if (!supported) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      nativeConv2dBiasAct(
        x as tf.Tensor4D,
        f.kernel.read() as tf.Tensor4D,
        f.bias!.read() as tf.Tensor1D,
        [f.strides[0]!, f.strides[1] ?? f.strides[0]!],
        f.padding as 'same' | 'valid',
        activation as NativeConvActivation,
      ),
    );
  }
}
tf.serialization.registerClass(Conv2dLayer);

/** Fields of tfjs-layers' Dense (private in its typings) read by {@link DenseLayer}. */
interface DenseFields {
  readonly kernel: LayerVariable;
  readonly bias: LayerVariable | null;
  readonly activation: { getClassName(): string };
}

/**
 * tfjs-layers' `Dense`, registered under the same class name (`Dense`) so saved models and weights are unchanged,
 * that runs `activation(x · kernel + bias)` as one fused op on the native TensorFlow engine, forward and backward
 * (`backend/native-fused.ts`). On the JS backends, for inputs of rank ≠ 2, without a bias or with another
 * activation it is tfjs-layers' Dense exactly.
 */
export class DenseLayer extends StockDense {
  /** @nocollapse */
  static className = 'Dense';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as DenseFields;
    const x = asList(inputs)[0]!;
    const activation = f.activation.getClassName();
    const supported =
      nativeFusedActive() &&
      x.rank === 2 &&
      f.bias != null &&
      (NATIVE_CONV_ACTIVATIONS as readonly string[]).includes(activation);
    if (!supported) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      nativeDenseBiasAct(
        x as tf.Tensor2D,
        f.kernel.read() as tf.Tensor2D,
        f.bias!.read() as tf.Tensor1D,
        activation as NativeConvActivation,
      ),
    );
  }
}
tf.serialization.registerClass(DenseLayer);

/** Fields of tfjs-layers' BatchNormalization (private in its typings) read by {@link BatchNormLayer}. */
interface BatchNormFields {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly gamma: LayerVariable;
  readonly beta: LayerVariable;
  readonly movingMean: LayerVariable;
  readonly movingVariance: LayerVariable;
}

/**
 * tfjs-layers' `BatchNormalization`, registered under the same class name (`BatchNormalization`) so saved models,
 * weights and parameter counts are unchanged, whose training-mode call on the native TensorFlow engine is one
 * `FusedBatchNormV3` forward and one `FusedBatchNormGradV3` backward (`backend/native-fused.ts`) instead of ≈ 25
 * tfjs ops, with the same moving-mean/variance update (biased batch variance, `moving −= (moving − batch)·(1 −
 * momentum)`). Inference, the JS backends, and configurations without γ/β or with a normalised axis other than the
 * last run tfjs-layers' BatchNormalization exactly.
 */
export class BatchNormLayer extends StockBatchNormalization {
  /** @nocollapse */
  static className = 'BatchNormalization';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as BatchNormFields;
    const x = asList(inputs)[0]!;
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    if (!kwargs['training'] || !nativeFusedActive() || !f.center || !f.scale || !lastAxis || x.rank < 2)
      return super.call(inputs, kwargs);
    return tf.tidy(() =>
      nativeBatchNormTraining(
        x,
        f.gamma.read(),
        f.beta.read(),
        { mean: f.movingMean.read(), variance: f.movingVariance.read() },
        f.epsilon,
        f.momentum,
        (mean, variance) => {
          f.movingMean.write(mean);
          f.movingVariance.write(variance);
        },
      ),
    );
  }
}
tf.serialization.registerClass(BatchNormLayer);

/**
 * `tfl.layers.conv2d`, as {@link Conv2dLayer} (fused on the native engine, identical elsewhere).
 *
 * @param args - tfjs-layers' Conv2D arguments
 */
export function conv2d(args: Conv2dArgs): Conv2dLayer {
  return new Conv2dLayer(args);
}

/**
 * `tfl.layers.dense`, as {@link DenseLayer} (fused on the native engine, identical elsewhere).
 *
 * @param args - tfjs-layers' Dense arguments
 */
export function dense(args: DenseArgs): DenseLayer {
  return new DenseLayer(args);
}

/**
 * `tfl.layers.batchNormalization`, as {@link BatchNormLayer} (fused training on the native engine, identical
 * elsewhere).
 *
 * @param args - tfjs-layers' BatchNormalization arguments
 */
export function batchNormalization(args: BatchNormArgs = {}): BatchNormLayer {
  return new BatchNormLayer(args);
}
