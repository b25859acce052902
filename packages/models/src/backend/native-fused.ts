/**
 * Fewer operations per training step on the native TensorFlow engine (`@tensorflow/tfjs-node`).
 *
 * tfjs runs every op eagerly: each costs the engine's bookkeeping (tape, tidy, tensor tracking) plus one call into
 * libtensorflow, ≈ 20–35 µs on top of the kernel itself. A SEUNet training step ran ≈ 4,700 of them. The kernels here
 * each run several TensorFlow ops inside ONE tfjs kernel call, talking to the tfjs-node binding directly, and are
 * used by the layers of `layers.ts` and by `createAdam` only when the active backend is `tensorflow`; on the pure-JS
 * backends nothing here is registered or called.
 *
 * - `TwsaConv2DBiasAct`: `Conv2D → BiasAdd → Relu|Tanh|Sigmoid|Elu` (one tfjs op instead of conv, add, activation;
 *   tfjs-core falls back to these three separate ops whenever a gradient is recorded and the activation is not
 *   linear), with `TwsaConv2DBiasActGrad`: `ReluGrad|TanhGrad|… → Conv2DBackpropInput, Conv2DBackpropFilter,
 *   BiasAddGrad` (one tfjs op instead of ≈ 7).
 * - `FusedConv2D` (tf.fused.conv2d's kernel; replaced on `tensorflow`): Conv2D, BiasAdd and the activation on the
 *   binding instead of tfjs-node's conv followed by separate tfjs add and activation ops.
 * - `TwsaDenseBiasAct` / `TwsaDenseBiasActGrad`: the same for a Dense layer (MatMul, BiasAdd, activation; backward
 *   the activation's gradient, two MatMuls, BiasAddGrad).
 * - `TwsaBatchNormTrain` / `TwsaBatchNormTrainGrad`: TensorFlow's `FusedBatchNormV3` / `FusedBatchNormGradV3` in
 *   training mode, or ≈ 10 plain TensorFlow ops for small maps, plus the moving-statistics update (one tfjs op
 *   each way instead of ≈ 25 for moments + batchNorm + their gradients + the moving averages).
 * - {@link NativeAdam}: Adam as TensorFlow's fused `ResourceApplyAdam` on resource variables (one op per variable
 *   instead of 14), used by `createAdam` on native.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** What the tfjs-node binding returns for each output of an op. */
interface OutputMeta {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

/** An op attribute as the tfjs-node binding takes it. */
interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** The part of the tfjs-node binding (`backend.binding`) used here. */
interface NativeBinding {
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): OutputMeta[];
  createTensor(shape: number[], dtype: number, values: Float32Array | Int32Array): number;
  deleteTensor(id: number): void;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_SHAPE: number;
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
}

/** The part of tfjs-node's `NodeJSKernelBackend` used here. */
interface NativeBackend {
  readonly binding: NativeBinding;
  getInputTensorIds(tensors: tf.TensorInfo[]): number[];
  createOutputTensor(meta: OutputMeta): tf.Tensor;
}

/** Kernel names registered on the `tensorflow` backend by {@link registerNativeFusedKernels}. */
export const NATIVE_FUSED_KERNELS = {
  conv: 'TwsaConv2DBiasAct',
  convGrad: 'TwsaConv2DBiasActGrad',
  dense: 'TwsaDenseBiasAct',
  denseGrad: 'TwsaDenseBiasActGrad',
  batchNorm: 'TwsaBatchNormTrain',
  batchNormGrad: 'TwsaBatchNormTrainGrad',
} as const;

/** Activations {@link nativeConv2dBiasAct} fuses (tfjs-layers' names). */
export const NATIVE_CONV_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'elu'] as const;
/** One of {@link NATIVE_CONV_ACTIVATIONS}. */
export type NativeConvActivation = (typeof NATIVE_CONV_ACTIVATIONS)[number];

const FORWARD_OP: Readonly<Record<NativeConvActivation, string | null>> = {
  linear: null,
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  elu: 'Elu',
};

let registered = false;

/** Whether the native kernels are registered and the `tensorflow` backend is the active one. */
export function nativeFusedActive(): boolean {
  return registered && tf.getBackend() === 'tensorflow';
}

function nativeBackend(backend: unknown): NativeBackend {
  const b = backend as Partial<NativeBackend> | null;
  if (b == null || typeof b.binding?.executeOp !== 'function' || typeof b.createOutputTensor !== 'function')
    throw new Error('the native fused kernels need the tfjs-node "tensorflow" backend');
  return b as NativeBackend;
}

/** Runs TensorFlow ops on raw binding handles, deleting every intermediate handle it made. */
class OpRunner {
  private readonly owned: number[] = [];
  readonly T: OpAttr;
  /** `data_format: NHWC`. */
  readonly nhwc: OpAttr;
  constructor(readonly b: NativeBinding) {
    this.T = { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
    this.nhwc = { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' };
  }
  /** One output; the handle is deleted by {@link done} unless {@link release}d. */
  one(name: string, attrs: OpAttr[], inputs: number[]): OutputMeta {
    const out = this.b.executeOp(name, attrs, inputs, 1)[0]!;
    this.owned.push(out.id);
    return out;
  }
  many(name: string, attrs: OpAttr[], inputs: number[], n: number): OutputMeta[] {
    const out = this.b.executeOp(name, attrs, inputs, n);
    for (const o of out) this.owned.push(o.id);
    return out;
  }
  scalar(value: number): number {
    const id = this.b.createTensor([], this.b.TF_FLOAT, new Float32Array([value]));
    this.owned.push(id);
    return id;
  }
  ints(values: readonly number[]): number {
    const id = this.b.createTensor([values.length], this.b.TF_INT32, Int32Array.from(values));
    this.owned.push(id);
    return id;
  }
  /** `y + bias` over the last axis (BiasAdd); frees y. */
  addBias(y: OutputMeta, bias: number): OutputMeta {
    const out = this.one('BiasAdd', [this.T, this.nhwc], [y.id, bias]);
    this.free(y.id);
    return out;
  }
  /** `activation(y)` (y itself when linear); frees y when it applies one. */
  activate(y: OutputMeta, activation: NativeConvActivation): OutputMeta {
    const op = FORWARD_OP[activation];
    if (op === null) return y;
    const out = this.one(op, [this.T], [y.id]);
    this.free(y.id);
    return out;
  }
  /** The bias gradient of `g` (BiasAddGrad: sum over every axis but the last). */
  biasGrad(g: number): OutputMeta {
    return this.one('BiasAddGrad', [this.T, this.nhwc], [g]);
  }
  /** Frees an intermediate now. */
  free(id: number): void {
    const i = this.owned.lastIndexOf(id);
    if (i >= 0) {
      this.owned.splice(i, 1);
      this.b.deleteTensor(id);
    }
  }
  /** Keeps `meta` alive past {@link done} (it becomes a kernel output). */
  release(meta: OutputMeta): OutputMeta {
    const i = this.owned.lastIndexOf(meta.id);
    if (i >= 0) this.owned.splice(i, 1);
    return meta;
  }
  done(): void {
    for (const id of this.owned) this.b.deleteTensor(id);
    this.owned.length = 0;
  }
}

interface ConvAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
  activation: NativeConvActivation;
}

function convOpAttrs(run: OpRunner, attrs: ConvAttrs): OpAttr[] {
  const b = run.b;
  return [
    run.T,
    { name: 'strides', type: b.TF_ATTR_INT, value: [1, attrs.strides[0], attrs.strides[1], 1] },
    { name: 'padding', type: b.TF_ATTR_STRING, value: attrs.pad === 'same' ? 'SAME' : 'VALID' },
    run.nhwc,
    { name: 'dilations', type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
    { name: 'use_cudnn_on_gpu', type: b.TF_ATTR_BOOL, value: true },
  ];
}

function convForward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = nativeBackend(args.backend);
  const attrs = args.attrs as unknown as ConvAttrs;
  const run = new OpRunner(backend.binding);
  try {
    const [x, filter, bias] = backend.getInputTensorIds([
      args.inputs['x']!,
      args.inputs['filter']!,
      args.inputs['bias']!,
    ]);
    const conv = run.one('Conv2D', convOpAttrs(run, attrs), [x!, filter!]);
    const y = run.activate(run.addBias(conv, bias!), attrs.activation);
    return backend.createOutputTensor(run.release(y));
  } finally {
    run.done();
  }
}

/** The activation's gradient `dy · act'(·)` from the activation's output y (the input dy when linear). */
function activationGrad(run: OpRunner, activation: NativeConvActivation, dyId: number, yId: number): number {
  switch (activation) {
    case 'relu':
      // y > 0 exactly where the pre-activation is > 0, so the output serves as ReluGrad's features.
      return run.one('ReluGrad', [run.T], [dyId, yId]).id;
    case 'tanh':
      return run.one('TanhGrad', [run.T], [yId, dyId]).id;
    case 'sigmoid':
      return run.one('SigmoidGrad', [run.T], [yId, dyId]).id;
    case 'elu':
      return run.one('EluGrad', [run.T], [dyId, yId]).id;
    case 'linear':
      return dyId;
  }
}

function convBackward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const backend = nativeBackend(args.backend);
  const attrs = args.attrs as unknown as ConvAttrs;
  const { dy, x, filter, y } = args.inputs as Record<string, tf.TensorInfo>;
  const run = new OpRunner(backend.binding);
  try {
    const [dyId, xId, fId, yId] = backend.getInputTensorIds([dy!, x!, filter!, y!]);
    const g = activationGrad(run, attrs.activation, dyId!, yId!);
    const cAttrs = convOpAttrs(run, attrs);
    const dx = run.one('Conv2DBackpropInput', cAttrs, [run.ints(x!.shape), fId!, g]);
    const dw = run.one('Conv2DBackpropFilter', cAttrs, [xId!, run.ints(filter!.shape), g]);
    const db = run.biasGrad(g);
    return [dx, dw, db].map((m) => backend.createOutputTensor(run.release(m)));
  } finally {
    run.done();
  }
}

/** tfjs-node's own `FusedConv2D` kernel, kept for the cases {@link fusedConv2dOverride} does not take. */
let stockFusedConv2D: tf.KernelConfig | undefined;

/**
 * `FusedConv2D` (tf.fused.conv2d's kernel: inference, and training with a linear activation, e.g. the ConvLSTM
 * cell's gate convolution) as Conv2D → BiasAdd → activation on the binding; tfjs-node's kernel runs the bias add
 * and the activation as separate tfjs ops. NHWC, 'same'/'valid', no dilation, a 1-D bias (or none), activations of
 * {@link NATIVE_CONV_ACTIVATIONS}; anything else goes to tfjs-node's kernel.
 */
function fusedConv2dOverride(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo | tf.TensorInfo[] {
  const a = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number];
    pad: unknown;
    dataFormat: string;
    dilations: number | [number, number];
    activation?: string;
  };
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const activation = (a.activation ?? 'linear') as NativeConvActivation;
  const dilations = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : (a.dilations ?? [1, 1]);
  const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  const outChannels = filter!.shape[3];
  const handled =
    a.dataFormat === 'NHWC' &&
    (a.pad === 'same' || a.pad === 'valid') &&
    dilations.every((d) => d === 1) &&
    preluActivationWeights == null &&
    (NATIVE_CONV_ACTIVATIONS as readonly string[]).includes(activation) &&
    (bias == null || (bias.shape.length === 1 && bias.shape[0] === outChannels));
  if (!handled) return stockFusedConv2D!.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
  const backend = nativeBackend(args.backend);
  const run = new OpRunner(backend.binding);
  try {
    const [xId, fId] = backend.getInputTensorIds([x!, filter!]);
    const attrs = {
      strides: [strides[0]!, strides[1]!] as [number, number],
      pad: a.pad as 'same' | 'valid',
      activation,
    };
    let y = run.one('Conv2D', convOpAttrs(run, attrs), [xId!, fId!]);
    if (bias != null) y = run.addBias(y, backend.getInputTensorIds([bias])[0]!);
    return backend.createOutputTensor(run.release(run.activate(y, activation)));
  } finally {
    run.done();
  }
}

interface DenseAttrs {
  activation: NativeConvActivation;
}

/** Inputs x `[n, in]`, kernel `[in, out]`, bias `[out]`: `activation(x·kernel + bias)` as MatMul, BiasAdd, act. */
function denseForward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = nativeBackend(args.backend);
  const { activation } = args.attrs as unknown as DenseAttrs;
  const run = new OpRunner(backend.binding);
  try {
    const [x, kernel, bias] = backend.getInputTensorIds([
      args.inputs['x']!,
      args.inputs['kernel']!,
      args.inputs['bias']!,
    ]);
    const b = run.b;
    const mm = run.one(
      'MatMul',
      [
        run.T,
        { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: false },
        { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: false },
      ],
      [x!, kernel!],
    );
    const y = run.activate(run.addBias(mm, bias!), activation);
    return backend.createOutputTensor(run.release(y));
  } finally {
    run.done();
  }
}

/** Inputs dy, x, kernel, y; outputs dx, dkernel, dbias. */
function denseBackward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const backend = nativeBackend(args.backend);
  const { activation } = args.attrs as unknown as DenseAttrs;
  const { dy, x, kernel, y } = args.inputs as Record<string, tf.TensorInfo>;
  const run = new OpRunner(backend.binding);
  try {
    const [dyId, xId, kId, yId] = backend.getInputTensorIds([dy!, x!, kernel!, y!]);
    const b = run.b;
    const g = activationGrad(run, activation, dyId!, yId!);
    const mm = (ta: boolean, tb: boolean, a: number, c: number): OutputMeta =>
      run.one(
        'MatMul',
        [
          run.T,
          { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: ta },
          { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: tb },
        ],
        [a, c],
      );
    const dx = mm(false, true, g, kId!);
    const dk = mm(true, false, xId!, g);
    const db = run.biasGrad(g);
    return [dx, dk, db].map((m) => backend.createOutputTensor(run.release(m)));
  } finally {
    run.done();
  }
}

/**
 * BatchNorm inputs up to this many elements use plain ops instead of FusedBatchNormV3/FusedBatchNormGradV3, whose
 * fixed cost (≈ 0.2 ms each with oneDNN, against ≈ 0.05 ms for the plain ops) dominates on small maps; above it the
 * fused ops' fewer passes over memory win. Measured on the paper SEUNet (maps 48×48×16 … 3×3×256): batch 1 step
 * 49.4 ms against 54.1 ms with FusedBatchNormV3 everywhere (3 × 40 steps, load 3.5); batch 8 with the plain ops
 * everywhere 112 ms against 102 ms.
 */
const BN_COMPOSED_MAX = 1 << 16;

function bnComposed(shape: readonly number[]): boolean {
  return shape.reduce((a, b) => a * b, 1) <= BN_COMPOSED_MAX;
}

/** The `Tidx` attribute of reductions (int32 axes). */
function INT_INDEX(b: NativeBinding): OpAttr {
  return { name: 'Tidx', type: b.TF_ATTR_TYPE, value: b.TF_INT32 };
}

interface BatchNormAttrs {
  epsilon: number;
  momentum: number;
}

function bnAttrs(run: OpRunner, epsilon: number): OpAttr[] {
  const b = run.b;
  return [
    run.T,
    { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    run.nhwc,
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: true },
  ];
}

/**
 * Inputs x (NHWC), scale, offset, movingMean, movingVariance. Outputs: y, the updated moving mean and moving
 * variance (`moving − (moving − batch)·(1 − momentum)` with the biased batch variance, as tfjs-layers and Keras 3),
 * reserve spaces 1–3 (for the gradient).
 */
function bnForward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const backend = nativeBackend(args.backend);
  const { epsilon, momentum } = args.attrs as unknown as BatchNormAttrs;
  const { x, scale, offset, movingMean, movingVariance } = args.inputs as Record<string, tf.TensorInfo>;
  const run = new OpRunner(backend.binding);
  try {
    const [xId, sId, oId, mmId, mvId] = backend.getInputTensorIds([x!, scale!, offset!, movingMean!, movingVariance!]);
    const T = [run.T];
    let outs: OutputMeta[];
    let variance: number;
    if (bnComposed(x!.shape)) {
      // Small inputs: the statistics and normalisation as plain ops (FusedBatchNormV3's fixed cost, ≈ 0.2 ms with
      // oneDNN, dominates there). Reserve spaces: the mean, 1/√(σ² + ε) and x − μ.
      const axes = run.ints([0, 1, 2]);
      const reduce = [run.T, INT_INDEX(run.b), { name: 'keep_dims', type: run.b.TF_ATTR_BOOL, value: false }];
      const mean = run.one('Mean', reduce, [xId!, axes]);
      const d = run.one('Sub', T, [xId!, mean.id]);
      const sq = run.one('Square', T, [d.id]);
      const v = run.one('Mean', reduce, [sq.id, axes]);
      run.free(sq.id);
      const ve = run.one('AddV2', T, [v.id, run.scalar(epsilon)]);
      const inv = run.one('Rsqrt', T, [ve.id]);
      run.free(ve.id);
      const k = run.one('Mul', T, [inv.id, sId!]);
      const dk = run.one('Mul', T, [d.id, k.id]);
      run.free(k.id);
      const y = run.one('AddV2', T, [dk.id, oId!]);
      run.free(dk.id);
      outs = [y, mean, v, mean, inv, d];
      variance = v.id;
    } else {
      // In training mode with exponential_avg_factor = 1 the mean/variance inputs are not read.
      const empty = backend.binding.createTensor([0], backend.binding.TF_FLOAT, new Float32Array(0));
      try {
        outs = run.many('FusedBatchNormV3', bnAttrs(run, epsilon), [xId!, sId!, oId!, empty, empty], 6);
      } finally {
        backend.binding.deleteTensor(empty);
      }
      // TensorFlow returns the Bessel-corrected batch variance (× n / (n − 1) when n ≥ 2).
      const n = x!.shape[0]! * x!.shape[1]! * x!.shape[2]!;
      variance = n > 1 ? run.one('Mul', T, [outs[2]!.id, run.scalar((n - 1) / n)]).id : outs[2]!.id;
    }
    const decay = run.scalar(1 - momentum);
    const moving = (old: number, batch: number): OutputMeta => {
      const d = run.one('Sub', T, [old, batch]).id;
      const e = run.one('Mul', T, [d, decay]).id;
      run.free(d);
      const updated = run.one('Sub', T, [old, e]);
      run.free(e);
      return updated;
    };
    const result = [outs[0]!, moving(mmId!, outs[1]!.id), moving(mvId!, variance), outs[3]!, outs[4]!, outs[5]!];
    return result.map((m) => backend.createOutputTensor(run.release(m)));
  } finally {
    run.done();
  }
}

/** Outputs: dx, dscale, doffset. */
function bnBackward(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const backend = nativeBackend(args.backend);
  const { epsilon } = args.attrs as unknown as BatchNormAttrs;
  const { dy, x, scale, r1, r2, r3 } = args.inputs as Record<string, tf.TensorInfo>;
  const run = new OpRunner(backend.binding);
  try {
    const ids = backend.getInputTensorIds([dy!, x!, scale!, r1!, r2!, r3!]);
    if (!bnComposed(x!.shape)) {
      const outs = run.many('FusedBatchNormGradV3', bnAttrs(run, epsilon), ids, 5);
      return outs.slice(0, 3).map((m) => backend.createOutputTensor(run.release(m)));
    }
    // dx = γ·inv/N · (N·dy − Σdy − x̂·Σ(dy·x̂)), dγ = Σ(dy·x̂), dβ = Σdy, with x̂ = (x − μ)·inv, inv = 1/√(σ² + ε).
    const [dyId, , sId, , invId, dId] = ids;
    const T = [run.T];
    const n = x!.shape[0]! * x!.shape[1]! * x!.shape[2]!;
    const axes = run.ints([0, 1, 2]);
    const reduce = [run.T, INT_INDEX(run.b), { name: 'keep_dims', type: run.b.TF_ATTR_BOOL, value: false }];
    const xhat = run.one('Mul', T, [dId!, invId!]).id;
    const dBeta = run.one('Sum', reduce, [dyId!, axes]);
    const p = run.one('Mul', T, [dyId!, xhat]).id;
    const dGamma = run.one('Sum', reduce, [p, axes]);
    run.free(p);
    const ndy = run.one('Mul', T, [dyId!, run.scalar(n)]).id;
    const a = run.one('Sub', T, [ndy, dBeta.id]).id;
    run.free(ndy);
    const c = run.one('Mul', T, [xhat, dGamma.id]).id;
    run.free(xhat);
    const t = run.one('Sub', T, [a, c]).id;
    run.free(a);
    run.free(c);
    const gi = run.one('Mul', T, [sId!, invId!]).id;
    const k = run.one('Mul', T, [gi, run.scalar(1 / n)]).id;
    const dx = run.one('Mul', T, [t, k]);
    return [dx, dGamma, dBeta].map((m) => backend.createOutputTensor(run.release(m)));
  } finally {
    run.done();
  }
}

/**
 * Registers the native kernels (and the gradient of the fused convolution) on the `tensorflow` backend. Called by
 * `initBackend` when it selects tfjs-node; idempotent.
 */
export function registerNativeFusedKernels(): void {
  if (registered) return;
  const backendName = 'tensorflow';
  const kernel = (kernelName: string, kernelFunc: unknown): void =>
    void tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc });
  kernel(NATIVE_FUSED_KERNELS.conv, convForward);
  stockFusedConv2D = tf.getKernel('FusedConv2D', backendName);
  if (stockFusedConv2D !== undefined) {
    tf.unregisterKernel('FusedConv2D', backendName);
    kernel('FusedConv2D', fusedConv2dOverride);
  }
  kernel(NATIVE_FUSED_KERNELS.convGrad, convBackward);
  kernel(NATIVE_FUSED_KERNELS.dense, denseForward);
  kernel(NATIVE_FUSED_KERNELS.denseGrad, denseBackward);
  kernel(NATIVE_FUSED_KERNELS.batchNorm, bnForward);
  kernel(NATIVE_FUSED_KERNELS.batchNormGrad, bnBackward);
  // Conv and Dense (+ bias + activation): the gradient is one backward kernel on the saved input, weight and output.
  const gradient = (forward: string, backward: string, weight: 'filter' | 'kernel'): void =>
    void tf.registerGradient({
      kernelName: forward,
      inputsToSave: ['x', weight],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, w, y] = saved as tf.Tensor[];
        const [dx, dw, db] = tf
          .engine()
          .runKernel(backward, { dy: dy as tf.Tensor, x: x!, [weight]: w!, y: y! }, attrs) as tf.Tensor[];
        return { x: () => dx!, [weight]: () => dw!, bias: () => db! };
      },
    });
  gradient(NATIVE_FUSED_KERNELS.conv, NATIVE_FUSED_KERNELS.convGrad, 'filter');
  gradient(NATIVE_FUSED_KERNELS.dense, NATIVE_FUSED_KERNELS.denseGrad, 'kernel');
  registered = true;
}

/** Removes what {@link registerNativeFusedKernels} registered (tests, and comparisons with the stock tfjs ops). */
export function unregisterNativeFusedKernels(): void {
  if (!registered) return;
  for (const name of Object.values(NATIVE_FUSED_KERNELS)) tf.unregisterKernel(name, 'tensorflow');
  tf.unregisterGradient(NATIVE_FUSED_KERNELS.conv);
  tf.unregisterGradient(NATIVE_FUSED_KERNELS.dense);
  if (stockFusedConv2D !== undefined) {
    tf.unregisterKernel('FusedConv2D', 'tensorflow');
    tf.registerKernel(stockFusedConv2D);
    stockFusedConv2D = undefined;
  }
  registered = false;
}

/** Whether {@link nativeConv2dBiasAct} handles this convolution (else use tfjs' own ops). */
export function nativeConvSupported(args: {
  readonly rank: number;
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly activation: string;
  readonly hasBias: boolean;
}): boolean {
  return (
    nativeFusedActive() &&
    args.rank === 4 &&
    args.hasBias &&
    args.dataFormat === 'channelsLast' &&
    (args.padding === 'same' || args.padding === 'valid') &&
    args.dilations.every((d) => d === 1) &&
    (NATIVE_CONV_ACTIVATIONS as readonly string[]).includes(args.activation)
  );
}

/**
 * `activation(conv2d(x, filter) + bias)` as one tfjs op on the native engine (forward: Conv2D, BiasAdd and the
 * activation; backward: the activation's gradient, both convolution gradients and BiasAddGrad, also one tfjs op).
 * NHWC, stride ≥ 1, no dilation. Only when {@link nativeFusedActive}.
 *
 * @param x - `[batch, rows, cols, inChannels]`
 * @param filter - `[kh, kw, inChannels, outChannels]`
 * @param bias - `[outChannels]`
 * @returns `[batch, outRows, outCols, outChannels]`
 */
export function nativeConv2dBiasAct(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  strides: readonly [number, number],
  pad: 'same' | 'valid',
  activation: NativeConvActivation,
): tf.Tensor4D {
  const attrs = { strides: [strides[0], strides[1]], pad, activation } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(NATIVE_FUSED_KERNELS.conv, { x, filter, bias }, attrs) as tf.Tensor4D;
}

/**
 * `activation(x · kernel + bias)` as one tfjs op on the native engine, forward and backward (MatMul, BiasAdd and the
 * activation; the activation's gradient, two MatMuls and BiasAddGrad). Only when {@link nativeFusedActive}.
 *
 * @param x - `[n, in]`
 * @param kernel - `[in, out]`
 * @param bias - `[out]`
 * @returns `[n, out]`
 */
export function nativeDenseBiasAct(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: NativeConvActivation,
): tf.Tensor2D {
  return tf.engine().runKernel(NATIVE_FUSED_KERNELS.dense, { x, kernel, bias }, { activation }) as tf.Tensor2D;
}

/**
 * Training-mode batch normalisation over every axis but the last as TensorFlow's `FusedBatchNormV3` (forward) and
 * `FusedBatchNormGradV3` (backward), `y = γ·(x − μ_B)/√(σ²_B + ε) + β`, and the moving statistics' update in the
 * same tfjs op. Inputs of rank ≠ 4 are reshaped to `[−1, 1, 1, C]`. Only when {@link nativeFusedActive}.
 *
 * @param x - `[..., C]`, rank ≥ 2
 * @param gamma - `[C]`
 * @param beta - `[C]`
 * @param moving - the current moving mean and variance `[C]` (read only)
 * @param epsilon - variance epsilon
 * @param momentum - moving-average momentum: `moving − (moving − batch)·(1 − momentum)`
 * @param onMoving - receives the updated moving mean and variance (off the gradient tape; disposed after it
 *   returns, so assign them to variables there)
 * @returns the normalised, scaled and shifted batch (shape of x), differentiable w.r.t. x, gamma and beta
 */
export function nativeBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  moving: { readonly mean: tf.Tensor; readonly variance: tf.Tensor },
  epsilon: number,
  momentum: number,
  onMoving: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  const shape = x.shape;
  const x4 = x.rank === 4 ? x : tf.reshape(x, [-1, 1, 1, shape[shape.length - 1]!]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xIn, g, b] = args as tf.Tensor[];
    const outs = tf
      .engine()
      .runKernel(
        NATIVE_FUSED_KERNELS.batchNorm,
        { x: xIn!, scale: g!, offset: b!, movingMean: moving.mean, movingVariance: moving.variance },
        { epsilon, momentum },
      ) as tf.Tensor[];
    onMoving(outs[1] as tf.Tensor1D, outs[2] as tf.Tensor1D);
    save([xIn!, g!, outs[3]!, outs[4]!, outs[5]!]);
    return {
      value: outs[0]!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, r1, r2, r3] = saved;
        return tf
          .engine()
          .runKernel(
            NATIVE_FUSED_KERNELS.batchNormGrad,
            { dy, x: sx!, scale: sg!, r1: r1!, r2: r2!, r3: r3! },
            { epsilon },
          ) as tf.Tensor[];
      },
    };
  });
  const y = op(x4, gamma, beta);
  return x4 === x ? y : tf.reshape(y, shape);
}

/** Resource variables of one trained variable: its value and Adam's two moments, as TensorFlow holds them. */
interface AdamSlot {
  /** The optimizer's index of the variable (its moment variables' position). */
  readonly i: number;
  readonly shape: readonly number[];
  readonly w: number;
  readonly m: number;
  readonly v: number;
  /** The tfjs value (dataId) last written to `w`; another one means the variable was set from outside. */
  wData: object | null;
  /** The tfjs moment variables changed (setWeights) and must be copied into the resources. */
  momentsStale: boolean;
  /** The resources' moments are newer than the tfjs moment variables. */
  momentsAhead: boolean;
}

let resourceCounter = 0;

/**
 * Adam on the native engine as TensorFlow's own fused `ResourceApplyAdam` (one op per variable, reading and writing
 * the value and both moments once, as Keras does) instead of 14 element-wise ops. The value and moments live in
 * TensorFlow resource variables between steps; the tfjs variable gets the new value after each step (one
 * `ReadVariableOp`), the tfjs moment variables only when asked ({@link NativeAdam.syncMoments}, before
 * `getWeights`), so the optimizer state saved by checkpoints is the same. ε is passed as ε·√(1 − β₂ᵗ), which
 * makes TensorFlow's `lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε̂)` equal to tfjs' `lr · m̂ / (√v̂ + ε)` (up to float32
 * rounding).
 */
export class NativeAdam {
  /** By variable name. */
  private readonly slots = new Map<string, AdamSlot>();
  private backend(): NativeBackend {
    return nativeBackend(tf.backend());
  }
  private handle(b: NativeBinding, shape: readonly number[]): number {
    const out = b.executeOp(
      'VarHandleOp',
      [
        { name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
        { name: 'shape', type: b.TF_ATTR_SHAPE, value: [...shape] },
        { name: 'container', type: b.TF_ATTR_STRING, value: '' },
        { name: 'shared_name', type: b.TF_ATTR_STRING, value: `twsa_adam_${process.pid}_${resourceCounter++}` },
      ],
      [],
      1,
    );
    return out[0]!.id;
  }
  private assign(backend: NativeBackend, resource: number, value: tf.Tensor): void {
    const b = backend.binding;
    b.executeOp(
      'AssignVariableOp',
      [{ name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }],
      [resource, ...backend.getInputTensorIds([value])],
      0,
    );
  }
  private read(backend: NativeBackend, resource: number): tf.Tensor {
    const b = backend.binding;
    const meta = b.executeOp(
      'ReadVariableOp',
      [{ name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }],
      [resource],
      1,
    );
    return backend.createOutputTensor(meta[0]!);
  }

  /**
   * One Adam step for the given variables (value, gradient, tfjs moment variables, by the optimizer's index).
   *
   * @param accBeta1 - β₁ᵗ for this step (tfjs' `accBeta1`)
   * @param accBeta2 - β₂ᵗ for this step
   */
  step(
    items: readonly {
      i: number;
      name: string;
      value: tf.Variable;
      gradient: tf.Tensor;
      m: tf.Variable;
      v: tf.Variable;
    }[],
    accBeta1: tf.Tensor,
    accBeta2: tf.Tensor,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): void {
    const backend = this.backend();
    const b = backend.binding;
    const run = new OpRunner(b);
    try {
      const [acc1, acc2] = backend.getInputTensorIds([accBeta1, accBeta2]);
      const T = [run.T];
      // ε̂ = ε·√(1 − β₂ᵗ)
      const epsHat = run.one('Mul', T, [
        run.one('Sqrt', T, [run.one('Sub', T, [run.scalar(1), acc2!]).id]).id,
        run.scalar(epsilon),
      ]).id;
      const lr = run.scalar(learningRate);
      const b1 = run.scalar(beta1);
      const b2 = run.scalar(beta2);
      const attrs: OpAttr[] = [
        run.T,
        { name: 'use_locking', type: b.TF_ATTR_BOOL, value: false },
        { name: 'use_nesterov', type: b.TF_ATTR_BOOL, value: false },
      ];
      for (const { i, name, value, gradient, m, v } of items) {
        let slot = this.slots.get(name);
        if (slot !== undefined && (slot.i !== i || !tf.util.arraysEqual(value.shape, [...slot.shape]))) {
          // Another variable list than before: start this variable's resources afresh from the tfjs state.
          this.destroy(slot);
          this.slots.delete(name);
          slot = undefined;
        }
        if (slot === undefined) {
          slot = {
            i,
            shape: [...value.shape],
            w: this.handle(b, value.shape),
            m: this.handle(b, value.shape),
            v: this.handle(b, value.shape),
            wData: null,
            momentsStale: true,
            momentsAhead: false,
          };
          this.slots.set(name, slot);
        }
        if (slot.wData !== value.dataId) this.assign(backend, slot.w, value);
        if (slot.momentsStale) {
          this.assign(backend, slot.m, m);
          this.assign(backend, slot.v, v);
          slot.momentsStale = false;
        }
        const [g] = backend.getInputTensorIds([gradient]);
        b.executeOp('ResourceApplyAdam', attrs, [slot.w, slot.m, slot.v, acc1!, acc2!, lr, b1, b2, epsHat, g!], 0);
        const updated = this.read(backend, slot.w);
        value.assign(updated);
        updated.dispose();
        slot.wData = value.dataId;
        slot.momentsAhead = true;
      }
    } finally {
      run.done();
    }
  }

  /** Copies the moments held by TensorFlow into the tfjs moment variables (`m(i)`, `v(i)` give them by index). */
  syncMoments(moments: (i: number) => readonly [tf.Variable, tf.Variable] | undefined): void {
    if (![...this.slots.values()].some((s) => s.momentsAhead)) return;
    const backend = this.backend();
    for (const slot of this.slots.values()) {
      if (!slot.momentsAhead) continue;
      const mv = moments(slot.i);
      if (mv === undefined) continue;
      for (const [resource, variable] of [
        [slot.m, mv[0]],
        [slot.v, mv[1]],
      ] as const) {
        const t = this.read(backend, resource);
        variable.assign(t);
        t.dispose();
      }
      slot.momentsAhead = false;
    }
  }

  /** The tfjs moment variables were set from outside (setWeights): copy them in before the next step. */
  momentsChanged(): void {
    for (const slot of this.slots.values()) {
      slot.momentsStale = true;
      slot.momentsAhead = false;
    }
  }

  private destroy(slot: AdamSlot): void {
    const b = this.backend().binding;
    for (const id of [slot.w, slot.m, slot.v]) {
      try {
        b.executeOp('DestroyResourceOp', [{ name: 'ignore_lookup_error', type: b.TF_ATTR_BOOL, value: true }], [id], 0);
      } finally {
        b.deleteTensor(id);
      }
    }
  }

  /** Frees the resource variables (a no-op once the tensorflow backend is gone). */
  dispose(): void {
    if (tf.getBackend() === 'tensorflow') for (const slot of this.slots.values()) this.destroy(slot);
    this.slots.clear();
  }
}
