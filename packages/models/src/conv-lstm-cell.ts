/**
 * The ConvLSTM recurrence behind {@link ConvLstm2dLayer}, in two interchangeable forms with identical forward
 * values: {@link runConvLstmUnrolled} (plain tfjs ops, autodiff keeps every step's activations on the tape) and
 * {@link runConvLstmRecomputed} (one `tf.customGrad` op over the whole sequence whose backward recomputes one step at
 * a time). Internal to @twsa/models: not re-exported from the package index.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Final states and, when asked for, the whole hidden sequence of a ConvLSTM run. */
export interface ConvLstmRunResult {
  /** `[batch, time, rows, cols, F]` hidden states of every step, or null when `returnSequences` is false. */
  readonly sequence: tf.Tensor5D | null;
  /** Last hidden state `[batch, rows, cols, F]`. */
  readonly h: tf.Tensor4D;
  /** Last cell state `[batch, rows, cols, F]`. */
  readonly c: tf.Tensor4D;
}

/** Keras' `hard_sigmoid`: `clip(0.2·x + 0.5, 0, 1)`. */
export function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
}

/** `z = conv(concat(frame, h), kernel, 'same') + bias`: the fused pre-activations of the four gates, `[b, r, c, 4F]`. */
function preActivations(input: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.fused.conv2d({ x: input, filter: kernel, strides: 1, pad: 'same', bias });
}

/**
 * One cell step: returns `[h_t, c_t, z_t]` from the frame and `(h_{t-1}, c_{t-1})`, z being the gates'
 * pre-activations. Both run paths use it, so their forwards are identical.
 */
function step(
  frame: tf.Tensor4D,
  h: tf.Tensor4D,
  c: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const z = preActivations(tf.concat([frame, h], 3), kernel, bias);
  const [zi, zf, zc, zo] = tf.split(z, 4, 3);
  const i = hardSigmoid(zi!);
  const f = hardSigmoid(zf!);
  const o = hardSigmoid(zo!);
  const cNext = tf.add(tf.mul(f, c), tf.mul(i, tf.tanh(zc!))) as tf.Tensor4D;
  return [tf.mul(o, tf.tanh(cNext)) as tf.Tensor4D, cNext, z];
}

/**
 * Frame `t` of a sequence viewed as rank 3 `[batch, steps, rows·cols·C]`, as `[batch, rows, cols, C]`.
 * Rank-5 slices fall back to a per-element loop on WASM, and tfjs' Unpack gradient fails when a step gets no gradient.
 */
function frameAt(flat: tf.Tensor3D, t: number, shape: readonly [number, number, number, number]): tf.Tensor4D {
  return tf.reshape(tf.slice(flat, [0, t, 0], [shape[0], 1, flat.shape[2]]), [...shape]);
}

/** Stacks same-shaped `[batch, rows, cols, C]` tensors along a new axis 1, through rank-3 views. */
function stackSteps(list: readonly tf.Tensor4D[]): tf.Tensor5D {
  const [batch, rows, cols, channels] = list[0]!.shape;
  const flat = list.map((s) => tf.reshape(s, [batch, 1, rows * cols * channels]));
  const joined = flat.length === 1 ? flat[0]! : tf.concat(flat, 1);
  return tf.reshape(joined, [batch, list.length, rows, cols, channels]);
}

/**
 * Runs the ConvLSTM over `x` with plain tfjs ops (autodiff backward: every step's activations stay on the tape).
 *
 * @param x - `[batch, time, rows, cols, Cin]`
 * @param h0 - initial hidden state `[batch, rows, cols, F]`, or null for zeros
 * @param c0 - initial cell state, or null for zeros
 * @param kernel - `[k, k, Cin + F, 4F]`, gates in Keras' i, f, c, o order
 * @param bias - `[4F]`
 * @param returnSequences - also return every step's hidden state
 */
export function runConvLstmUnrolled(
  x: tf.Tensor5D,
  h0: tf.Tensor4D | null,
  c0: tf.Tensor4D | null,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  returnSequences: boolean,
): ConvLstmRunResult {
  const [batch, steps, rows, cols, cin] = x.shape;
  const F = kernel.shape[3] / 4;
  let h: tf.Tensor4D = h0 ?? tf.zeros([batch, rows, cols, F]);
  let c: tf.Tensor4D = c0 ?? tf.zeros([batch, rows, cols, F]);
  const flat = tf.reshape<tf.Rank.R3>(x, [batch, steps, rows * cols * cin]);
  const outputs: tf.Tensor4D[] = [];
  for (let t = 0; t < steps; t++) {
    [h, c] = step(frameAt(flat, t, [batch, rows, cols, cin]), h, c, kernel, bias);
    if (returnSequences) outputs.push(h);
  }
  return { sequence: returnSequences ? stackSteps(outputs) : null, h, c };
}

/**
 * Gradients of one cell step given the gradients `dh`, `dc` of its outputs, recomputing the step's activations
 * from its inputs. Hand-written rather than a nested `tf.grads`: tfjs 4.22 starts a fresh global tape for a
 * gradient call made during another one's backward pass and then sets it to null, which breaks the outer call.
 *
 * ## Method
 * With `u = 0.2·z + 0.5`, `σ(z) = clip(u, 0, 1)`, `g = tanh(z_c)`, `c_t = f·c_{t-1} + i·g`, `h_t = o·tanh(c_t)`:
 * `dc* = dc + dh·o·(1 − tanh²c_t)`, `dz_o = 0.2·[0 ≤ u_o ≤ 1]·dh·tanh c_t`, `dz_i = 0.2·[0 ≤ u_i ≤ 1]·dc*·g`,
 * `dz_f = 0.2·[0 ≤ u_f ≤ 1]·dc*·c_{t-1}`, `dz_c = dc*·i·(1 − g²)`, `dc_{t-1} = dc*·f` (the clip derivative is taken
 * as 1 on the closed interval, as tfjs' ClipByValue gradient does); then, for the fused conv over
 * `concat(x_t, h_{t-1})`: `db = Σ dz`, `dW = Conv2DBackpropFilter(input, dz)`, `d input = Conv2DBackpropInput(dz, W)`
 * split into `dx_t` and `dh_{t-1}`, the kernels tfjs' own FusedConv2D gradient calls.
 */
function stepBackward(
  frame: tf.Tensor4D,
  hPrev: tf.Tensor4D,
  cPrev: tf.Tensor4D,
  savedZ: tf.Tensor4D | null,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  dh: tf.Tensor4D,
  dc: tf.Tensor4D,
): { dx: tf.Tensor4D; dhPrev: tf.Tensor4D; dcPrev: tf.Tensor4D; dKernel: tf.Tensor4D; dBias: tf.Tensor1D } {
  const cin = frame.shape[3];
  const F = hPrev.shape[3];
  const input = tf.concat([frame, hPrev], 3);
  const z = savedZ ?? preActivations(input, kernel, bias);
  const [zi, zf, zc, zo] = tf.split(z, 4, 3);
  const pre = (v: tf.Tensor): tf.Tensor => tf.add(tf.mul(v, 0.2), 0.5);
  const [ui, uf, uo] = [pre(zi!), pre(zf!), pre(zo!)];
  const [i, f, o] = [tf.clipByValue(ui, 0, 1), tf.clipByValue(uf, 0, 1), tf.clipByValue(uo, 0, 1)];
  const g = tf.tanh(zc!);
  const tanhC = tf.tanh(tf.add(tf.mul(f, cPrev), tf.mul(i, g)));
  const dcTotal = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tanhC))));
  const gate = (u: tf.Tensor, d: tf.Tensor): tf.Tensor =>
    tf.mul(tf.where(tf.logicalAnd(tf.greaterEqual(u, 0), tf.lessEqual(u, 1)), d, tf.zerosLike(d)), 0.2);
  const dz = tf.concat(
    [
      gate(ui, tf.mul(dcTotal, g)),
      gate(uf, tf.mul(dcTotal, cPrev)),
      tf.mul(tf.mul(dcTotal, i), tf.sub(1, tf.square(g))),
      gate(uo, tf.mul(dh, tanhC)),
    ],
    3,
  ) as tf.Tensor4D;
  const dKernel = tf
    .engine()
    .runKernel<tf.Tensor4D>(
      'Conv2DBackpropFilter',
      { x: input, dy: dz },
      { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: kernel.shape },
    );
  const dInput = tf.conv2dTranspose(dz, kernel, input.shape, 1, 'same');
  const [dx, dhPrev] = tf.split(dInput, [cin, F], 3) as tf.Tensor4D[];
  return { dx: dx!, dhPrev: dhPrev!, dcPrev: tf.mul(dcTotal, f) as tf.Tensor4D, dKernel, dBias: tf.sum(dz, [0, 1, 2]) };
}

/**
 * Runs the ConvLSTM over `x` as ONE differentiable op with a step-by-step recomputing backward (gradient
 * checkpointing through time). Same arguments, same forward values and the same gradients (to float rounding) as
 * {@link runConvLstmUnrolled}.
 *
 * ## Method
 * The forward (inside `tf.customGrad`, whose forward is not taped) runs the T steps, disposing each step's gate
 * activations and keeping only the states `(h_{t-1}, c_{t-1})` that enter each step and, with
 * `keepPreActivations`, the step's convolution output `z_t` (4F channels): 6F (or 2F) channels per step instead of
 * ≈30 taped activations. The backward walks t = T−1 … 0: it recomputes step t's gates from the saved `z_t` (or,
 * without it, from the saved states by running the step's convolution again), applies the hand-written cell
 * gradient (see `stepBackward`) and accumulates `dW`, `db`; each step's temporaries are freed before the next. The kernel and bias enter as explicit inputs of
 * the op, so gradients reach the layer's variables through `optimizer.minimize` / `tf.variableGrads` as usual.
 * The op's single output is `[batch, K + 1, rows·cols·F]`: the K = T (returnSequences) or 1 hidden states, then
 * `c_T`; it is sliced back into the result.
 *
 * @param x - `[batch, time, rows, cols, Cin]`
 * @param h0 - initial hidden state `[batch, rows, cols, F]`, or null for zeros (then no gradient is returned for it)
 * @param c0 - initial cell state, or null for zeros; given exactly when `h0` is
 * @param kernel - `[k, k, Cin + F, 4F]` (odd k, 'same' padding, stride 1)
 * @param bias - `[4F]`
 * @param returnSequences - also return every step's hidden state
 * @param keepPreActivations - keep each step's convolution output for the backward (default) rather than recompute
 *   it: 4F more channels per step, one convolution fewer per step
 */
export function runConvLstmRecomputed(
  x: tf.Tensor5D,
  h0: tf.Tensor4D | null,
  c0: tf.Tensor4D | null,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  returnSequences: boolean,
  keepPreActivations = true,
): ConvLstmRunResult {
  const [batch, steps, rows, cols, cin] = x.shape;
  const F = kernel.shape[3] / 4;
  const stateShape: [number, number, number, number] = [batch, rows, cols, F];
  const frameShape: [number, number, number, number] = [batch, rows, cols, cin];
  const stateSize = rows * cols * F;
  const hiddenRows = returnSequences ? steps : 1;
  const withState = h0 !== null && c0 !== null;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const tensors = args as tf.Tensor[];
    const xs = tensors[0] as tf.Tensor5D;
    const [w, b] = tensors.slice(-2) as [tf.Tensor4D, tf.Tensor1D];
    let h = withState ? (tensors[1] as tf.Tensor4D) : (tf.zeros(stateShape) as tf.Tensor4D);
    let c = withState ? (tensors[2] as tf.Tensor4D) : (tf.zeros(stateShape) as tf.Tensor4D);
    const flat = tf.reshape<tf.Rank.R3>(xs, [batch, steps, rows * cols * cin]);
    const hs: tf.Tensor4D[] = [];
    const cs: tf.Tensor4D[] = [];
    const zs: tf.Tensor4D[] = [];
    const hidden: tf.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      hs.push(h);
      cs.push(c);
      const [hPrev, cPrev] = [h, c];
      const [hNext, cNext, z] = tf.tidy(() => step(frameAt(flat, t, frameShape), hPrev, cPrev, w, b));
      [h, c] = [hNext, cNext];
      if (keepPreActivations) zs.push(z);
      else z.dispose();
      if (returnSequences) hidden.push(tf.reshape(h, [batch, 1, stateSize]));
    }
    if (!returnSequences) hidden.push(tf.reshape(h, [batch, 1, stateSize]));
    hidden.push(tf.reshape(c, [batch, 1, stateSize]));
    // Only what the backward needs: x, W, b, the states entering each step and maybe z (no-op when no tape records).
    save([xs, w, b, ...hs, ...cs, ...zs]);
    const value = tf.concat(hidden, 1) as tf.Tensor3D;
    const gradFunc = (dy: tf.Tensor3D, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [sx, sw, sb] = saved as [tf.Tensor5D, tf.Tensor4D, tf.Tensor1D];
        const savedH = saved.slice(3, 3 + steps) as tf.Tensor4D[];
        const savedC = saved.slice(3 + steps, 3 + 2 * steps) as tf.Tensor4D[];
        const savedZ = saved.slice(3 + 2 * steps) as tf.Tensor4D[];
        const flatX = tf.reshape<tf.Rank.R3>(sx, [batch, steps, rows * cols * cin]);
        const row = (r: number): tf.Tensor4D => frameAt(dy, r, stateShape);
        let dh = returnSequences ? (tf.zeros(stateShape) as tf.Tensor4D) : row(0);
        let dc = row(hiddenRows);
        let dKernel = tf.zerosLike(sw) as tf.Tensor4D;
        let dBias = tf.zerosLike(sb) as tf.Tensor1D;
        const dxs: tf.Tensor4D[] = new Array<tf.Tensor4D>(steps);
        for (let t = steps - 1; t >= 0; t--) {
          const next = tf.tidy(() => {
            const dhStep = returnSequences ? (tf.add(dh, row(t)) as tf.Tensor4D) : dh;
            const s = stepBackward(
              frameAt(flatX, t, frameShape),
              savedH[t]!,
              savedC[t]!,
              savedZ[t] ?? null,
              sw,
              sb,
              dhStep,
              dc,
            );
            return [s.dx, s.dhPrev, s.dcPrev, tf.add(dKernel, s.dKernel), tf.add(dBias, s.dBias)] as const;
          });
          tf.dispose([dh, dc, dKernel, dBias]);
          dxs[t] = next[0];
          [dh, dc] = [next[1], next[2]];
          dKernel = next[3] as tf.Tensor4D;
          dBias = next[4] as tf.Tensor1D;
        }
        // dh, dc are now the gradients of h0, c0 (dropped by the tidy when the zero states were made here).
        const dx = stackSteps(dxs);
        return withState ? [dx, dh, dc, dKernel, dBias] : [dx, dKernel, dBias];
      });
    return { value, gradFunc };
  });

  const value = (withState ? op(x, h0, c0, kernel, bias) : op(x, kernel, bias)) as tf.Tensor3D;
  const sequence = returnSequences
    ? (tf.reshape(tf.slice(value, [0, 0, 0], [batch, steps, stateSize]), [batch, steps, rows, cols, F]) as tf.Tensor5D)
    : null;
  return { sequence, h: frameAt(value, hiddenRows - 1, stateShape), c: frameAt(value, hiddenRows, stateShape) };
}
