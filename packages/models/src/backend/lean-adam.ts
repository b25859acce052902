/**
 * A memory-lean Adam optimizer: the same update as `tf.train.adam`, one variable at a time.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { OptimizerOptionError } from './errors.js';
import { NativeAdam, nativeFusedActive } from './native-fused.js';

/** A named tensor, as tfjs optimizers take gradients (`tf.NamedTensor` is not re-exported by tfjs-core's index). */
export interface NamedGradient {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

/** Options of {@link createAdam}. Defaults are tfjs's (`tf.train.adam`). */
export interface AdamOptions {
  /** Step size α. Default 0.001. */
  readonly learningRate?: number;
  /** Decay of the first-moment estimate β₁, in [0, 1). Default 0.9. */
  readonly beta1?: number;
  /** Decay of the second-moment estimate β₂, in [0, 1). Default 0.999. */
  readonly beta2?: number;
  /** ε added to √v̂. Default `tf.backend().epsilon()` (1e-7 on float32 backends), as tfjs does. */
  readonly epsilon?: number;
}

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * `tf.AdamOptimizer` whose update holds the temporaries of only one variable at a time.
 *
 * Stock `AdamOptimizer.applyGradients` builds the update for every variable inside one `tf.tidy`, so the ~12
 * temporaries per variable live until the end: for the 76 M-parameter DCAE (one 75.5 M Dense kernel) that is
 * several GiB on top of weights, moments and gradients, and the WASM heap (4 GiB) overflows ('memory access out of
 * bounds'). This subclass runs the identical op sequence (so results are bit-identical to `tf.train.adam`) but
 * disposes each temporary as soon as it is used, variable by variable, and its `minimize` frees each gradient right
 * after its variable is updated. Peak extra memory is about three tensors the size of the largest variable.
 *
 * It keeps Adam's state layout (`getWeights`/`setWeights`, `accBeta1`/`accBeta2`, className `Adam`), so checkpoints
 * are interchangeable with `tf.train.adam`'s.
 *
 * On the native TensorFlow engine (when `initBackend` registered native-fused.ts) each variable is updated by
 * TensorFlow's fused `ResourceApplyAdam` instead (one op, one pass over value, moments and gradient, as Keras does):
 * 2–3× faster for the 76 M-parameter DCAE, with the same state and the same update up to float32 rounding.
 */
export class LeanAdamOptimizer extends tf.AdamOptimizer {
  /** Native engine: the value and moments as TensorFlow resource variables, updated by `ResourceApplyAdam`. */
  private native?: NativeAdam;

  /**
   * Like `Optimizer.minimize`, but each gradient is disposed as soon as its variable is updated.
   *
   * @param f - returns the scalar loss
   * @param returnCost - return the loss (caller disposes it) instead of disposing it
   * @param varList - variables to train; default all trainable variables
   * @returns the loss when `returnCost`, else null
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const { value, grads } = this.computeGradients(f, varList);
    this.update(grads, true);
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /**
   * Applies one Adam step with the given gradients (not disposed; the caller owns them).
   *
   * @param variableGradients - gradients by variable name, or a list of `{ name, tensor }`
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedGradient[]): void {
    this.update(variableGradients, false);
  }

  private update(variableGradients: tf.NamedTensorMap | NamedGradient[], disposeGradients: boolean): void {
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    if (nativeFusedActive()) {
      this.updateNative(variableGradients, names, disposeGradients);
      return;
    }
    if (this.native !== undefined) {
      // Back from the native engine's resource variables to tfjs' own update: take the moments with us.
      this.syncNativeMoments();
      this.native.dispose();
      this.native = undefined;
    }
    const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
    const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (value === undefined) return;
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
      if (gradient == null) return;
      tf.tidy(() => {
        if (self.accumulatedFirstMoment[i] == null) {
          self.accumulatedFirstMoment[i] = {
            originalName: `${name}/m`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        if (self.accumulatedSecondMoment[i] == null) {
          self.accumulatedSecondMoment[i] = {
            originalName: `${name}/v`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        const firstMoment = (self.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
        const secondMoment = (self.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
        // Same ops, same order as tfjs-core 4.22 AdamOptimizer.applyGradients; each temporary is freed after use.
        const a = tf.mul(firstMoment, self.beta1);
        const b = tf.mul(gradient, 1 - self.beta1);
        const newFirstMoment = tf.add(a, b);
        a.dispose();
        b.dispose();
        const c = tf.mul(secondMoment, self.beta2);
        const g2 = tf.square(gradient);
        if (disposeGradients) gradient.dispose();
        const d = tf.mul(g2, 1 - self.beta2);
        g2.dispose();
        const newSecondMoment = tf.add(c, d);
        c.dispose();
        d.dispose();
        const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
        const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
        firstMoment.assign(newFirstMoment);
        secondMoment.assign(newSecondMoment);
        newFirstMoment.dispose();
        newSecondMoment.dispose();
        const s = tf.sqrt(biasCorrectedSecondMoment);
        biasCorrectedSecondMoment.dispose();
        const t = tf.add(s, self.epsilon);
        s.dispose();
        const q = tf.div(biasCorrectedFirstMoment, t);
        biasCorrectedFirstMoment.dispose();
        t.dispose();
        const step = tf.mul(q, -self.learningRate);
        q.dispose();
        const newValue = tf.add(step, value);
        step.dispose();
        value.assign(newValue);
        newValue.dispose();
      });
    });
    oneMinusAccBeta1.dispose();
    oneMinusAccBeta2.dispose();
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }

  /** The state, with the native engine's moments copied back first (checkpoints save it). */
  override async getWeights(): Promise<NamedGradient[]> {
    this.syncNativeMoments();
    return super.getWeights();
  }

  /** Restores the state (the native engine's resource moments are refreshed from it before the next step). */
  override async setWeights(weightValues: NamedGradient[]): Promise<void> {
    await super.setWeights(weightValues);
    this.native?.momentsChanged();
  }

  override dispose(): void {
    this.native?.dispose();
    this.native = undefined;
    super.dispose();
  }

  private syncNativeMoments(): void {
    const self = this as unknown as AdamInternals;
    this.native?.syncMoments((i) => {
      const m = self.accumulatedFirstMoment[i]?.variable;
      const v = self.accumulatedSecondMoment[i]?.variable;
      return m && v ? [m, v] : undefined;
    });
  }

  /** The moment variables of variable `i`, created (zeros) on first use, as stock Adam names them. */
  private moments(i: number, name: string, value: tf.Variable): [tf.Variable, tf.Variable] {
    const self = this as unknown as AdamInternals;
    if (self.accumulatedFirstMoment[i] == null)
      self.accumulatedFirstMoment[i] = {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
    if (self.accumulatedSecondMoment[i] == null)
      self.accumulatedSecondMoment[i] = {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
    return [self.accumulatedFirstMoment[i]!.variable, self.accumulatedSecondMoment[i]!.variable];
  }

  /**
   * The native engine's update: TensorFlow's fused `ResourceApplyAdam`, one op per variable instead of 14, on
   * resource variables that hold the value and moments between steps ({@link NativeAdam}, native-fused.ts). The same
   * update up to float32 rounding (≈ 1e-6 relative per step); the same state in `getWeights`/`setWeights`.
   */
  private updateNative(
    variableGradients: tf.NamedTensorMap | NamedGradient[],
    names: string[],
    disposeGradients: boolean,
  ): void {
    const self = this as unknown as AdamInternals;
    const items: Parameters<NativeAdam['step']>[0][number][] = [];
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (value === undefined) return;
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
      if (gradient == null) return;
      const [m, v] = this.moments(i, name, value);
      items.push({ i, name, value, gradient, m, v });
    });
    this.native ??= new NativeAdam();
    this.native.step(items, self.accBeta1, self.accBeta2, self.learningRate, self.beta1, self.beta2, self.epsilon);
    if (disposeGradients) for (const { gradient } of items) gradient.dispose();
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Creates a {@link LeanAdamOptimizer}: Adam with tfjs's defaults and update, using far less peak memory.
 *
 * ## Method
 * Per variable θ with gradient g, step t: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 * `θ ← θ − α·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)` — exactly tfjs's ops, run one variable at a time; on the native
 * engine TensorFlow's `ResourceApplyAdam` with ε·√(1−β₂ᵗ) in place of ε (the same update up to rounding).
 *
 * @param options - learning rate, β₁, β₂, ε (see {@link AdamOptions})
 * @returns an optimizer usable wherever a `tf.Optimizer` is (`minimize`, `applyGradients`, `getWeights`,
 *   `setWeights`, `dispose`)
 * @throws {@link OptimizerOptionError} when an option is not a finite number in range
 * @example
 * ```ts
 * const optimizer = createAdam({ learningRate: 0.01 });
 * optimizer.getClassName();
 * // => 'Adam'
 * ```
 */
export function createAdam(options: AdamOptions = {}): LeanAdamOptimizer {
  if (typeof options !== 'object' || options === null)
    throw new OptimizerOptionError('options', 'createAdam', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!['learningRate', 'beta1', 'beta2', 'epsilon'].includes(key)) {
      throw new OptimizerOptionError(key, 'createAdam', 'one of learningRate, beta1, beta2, epsilon', key);
    }
  }
  const learningRate = options.learningRate ?? 0.001;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  if (!(Number.isFinite(learningRate) && learningRate > 0))
    throw new OptimizerOptionError('learningRate', 'createAdam', 'a finite number > 0', learningRate);
  if (!(Number.isFinite(beta1) && beta1 >= 0 && beta1 < 1))
    throw new OptimizerOptionError('beta1', 'createAdam', 'a number in [0, 1)', beta1);
  if (!(Number.isFinite(beta2) && beta2 >= 0 && beta2 < 1))
    throw new OptimizerOptionError('beta2', 'createAdam', 'a number in [0, 1)', beta2);
  if (options.epsilon !== undefined && !(Number.isFinite(options.epsilon) && options.epsilon > 0)) {
    throw new OptimizerOptionError('epsilon', 'createAdam', 'a finite number > 0', options.epsilon);
  }
  return new LeanAdamOptimizer(learningRate, beta1, beta2, options.epsilon);
}
