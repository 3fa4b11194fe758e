/**
 * A convolution followed by its batch norm, optionally a residual and a ReLU, as one op in inference:
 * PyTorch's eval-mode conv + batch-norm fusion (torch.ao.quantization.fuse_modules' fuse_conv_bn_eval),
 * with the scale and shift applied in the GEMM's store instead of being folded into the weights, so the
 * weights are packed once as they are (kernels: conv2dInference).
 */
import {
  batchNormScaleShift, checkConvGeometry, conv2dInference, conv2dInferenceMaxPool, convInferenceForm, convInferenceMaxPoolSize, convWeightsFloats,
  prepareConvWeights, type Conv2dGeometry, type ConvWeightsForm, type MaxPoolWindow,
} from '@deepwasm/kernels';
import { Tensor } from '../tensor/tensor.js';
import { activeTracer } from '../tensor/trace-hook.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add } from '../functional/elementwise.js';
import { relu as reluOp } from '../functional/activations.js';
import { readPoolOptions } from '../functional/conv.js';
import type { Conv2d, MaxPool2d } from './conv.js';
import type { BatchNorm1d } from './batchnorm.js';

export interface FusedConvBnOptions {
  /** Added after the batch norm (a residual block's shortcut). */
  residual?: Tensor | null;
  /** ReLU at the end. */
  relu?: boolean;
  /**
   * A max pooling after it all (ResNet's stem: conv, batch norm, ReLU, max pool), fused into one pass
   * over the convolution's pixels-major product where it takes that route (kernels: conv2dInferenceMaxPool).
   */
  maxPool?: MaxPool2d | null;
}

/**
 * The geometry of a convolution on one input shape, its weights' form and output size (and its pooling's
 * window and size): what fusedConvBn works out, checks included, the first time a layer sees that shape.
 */
interface Plan {
  N: number; C: number; H: number; W: number;
  g: Conv2dGeometry; OH: number; OW: number; form: ConvWeightsForm;
  pool: { m: MaxPool2d; window: MaxPoolWindow; PH: number; PW: number } | null;
}

/** What a convolution keeps for fused inference: its weights in each prepared form, one batch norm's scale and shift, its last plan. */
interface InferenceCache {
  weights: Map<ConvWeightsForm, { version: number; t: Tensor }>;
  affine: { bn: BatchNorm1d; eps: number; sources: Array<Tensor | null>; versions: number[]; t: Tensor } | null;
  plan: Plan | null;
}

const caches = new WeakMap<Conv2d, InferenceCache>();

/** Frees what fusedConvBn keeps for `conv` (Conv2d.dispose and train() call it). */
export function releaseInferenceCache(conv: Conv2d): void {
  const c = caches.get(conv);
  if (c === undefined) return;
  for (const { t } of c.weights.values()) t.dispose();
  c.affine?.t.dispose();
  caches.delete(conv);
}

/**
 * act(bn(conv(x)) + residual): the same result as composing the modules (within float rounding: the
 * plain build gives the composition's bits on the GEMM and Winograd paths). In eval mode, when no
 * tensor involved records gradients and no ONNX export is tracing, it runs as one fused op with the
 * weights prepared once (rebuilt when a weight, a running statistic or eps changes, as the tensors'
 * `version` tells: optimizers, loadStateDict and in-place ops bump it, a write through `.data` does
 * not; freed when the batch norm trains again or the convolution is disposed). Otherwise it calls the
 * modules.
 */
export function fusedConvBn(conv: Conv2d, bn: BatchNorm1d, x: Tensor, opts: FusedConvBnOptions = {}): Tensor {
  const residual = opts.residual ?? null;
  const relu = opts.relu ?? false;
  if (bn.training) releaseInferenceCache(conv);
  const pool = opts.maxPool ?? null;
  if (!canFuse(conv, bn, x, residual)) {
    let y = bn.forward(conv.forward(x));
    if (residual !== null) y = add(y, residual);
    if (pool !== null) return relu ? pool.forwardAfterRelu(y) : pool.forward(y);
    return relu ? reluOp(y) : y;
  }
  let cache = caches.get(conv);
  if (cache === undefined) {
    cache = { weights: new Map(), affine: null, plan: null };
    caches.set(conv, cache);
  }
  const { g, OH, OW, form, pool: pooling } = planFor(conv, cache, x, pool !== null && residual === null ? pool : null);
  const { N, OC } = g;
  if (residual !== null && !sameShape(residual.shape, [N, OC, OH, OW])) {
    throw new Error(`fusedConvBn: residual ${formatShape(residual.shape)} does not match the convolution's output [${N}, ${OC}, ${OH}, ${OW}]`);
  }
  const weights = form === 'plain' ? conv.weight.ptr : preparedWeights(conv, cache, g, form).ptr;
  const affine = scaleShift(conv, bn, cache);
  const e = { scale: affine.ptr, shift: affine.ptr + OC * 4, residual: residual?.ptr ?? 0, relu };
  if (pooling !== null) {
    const y = Tensor.empty([N, OC, pooling.PH, pooling.PW]);
    conv2dInferenceMaxPool(x.k, g, x.ptr, weights, e, pooling.window, y.ptr);
    return y;
  }
  const y = Tensor.empty([N, OC, OH, OW]);
  conv2dInference(x.k, g, x.ptr, weights, e, y.ptr, form);
  if (pool !== null) return pool.forward(y);
  return y;
}

/**
 * The layer's plan for x's shape (and `pool`, when the pooling is fused): the last one if x has the same
 * shape and the convolution the same options, else worked out and checked again and kept.
 */
function planFor(conv: Conv2d, cache: InferenceCache, x: Tensor, pool: MaxPool2d | null): Plan {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const p = cache.plan;
  const g0 = p?.g;
  if (
    p !== null && g0 !== undefined && p.N === N && p.C === C && p.H === H && p.W === W && (p.pool?.m ?? null) === pool && (pool === null || samePool(pool, p.pool!.window)) &&
    g0.OC === conv.weight.shape[0] && g0.KH === conv.weight.shape[2] && g0.KW === conv.weight.shape[3] &&
    g0.strideH === conv.stride[0] && g0.strideW === conv.stride[1] && g0.padH === conv.padding[0] && g0.padW === conv.padding[1] &&
    g0.dilationH === conv.dilation[0] && g0.dilationW === conv.dilation[1] && g0.groups === conv.groups
  ) return p;
  const [OC, , KH, KW] = conv.weight.shape as [number, number, number, number];
  const g: Conv2dGeometry = {
    N, C, H, W, OC, KH, KW, strideH: conv.stride[0], strideW: conv.stride[1], padH: conv.padding[0], padW: conv.padding[1],
    dilationH: conv.dilation[0], dilationW: conv.dilation[1], groups: conv.groups,
  };
  const { OH, OW } = checkConvGeometry(g, `Conv2d(${conv.inChannels}, ${conv.outChannels})`);
  let pooling: Plan['pool'] = null;
  if (pool !== null) {
    const window = poolWindow(pool);
    pooling = { m: pool, window, ...convInferenceMaxPoolSize(g, window) };
  }
  const plan: Plan = { N, C, H, W, g, OH, OW, form: convInferenceForm(g), pool: pooling };
  cache.plan = plan;
  return plan;
}

/** Whether a MaxPool2d's options still give `w` (they are public fields). */
function samePool(m: MaxPool2d, w: MaxPoolWindow): boolean {
  const now = poolWindow(m);
  return now.KH === w.KH && now.KW === w.KW && now.strideH === w.strideH && now.strideW === w.strideW && now.padH === w.padH && now.padW === w.padW &&
    now.dilationH === w.dilationH && now.dilationW === w.dilationW && now.ceilMode === w.ceilMode;
}

/** A MaxPool2d module's window, checked as the module's forward checks it. */
function poolWindow(m: MaxPool2d): MaxPoolWindow {
  const p = readPoolOptions('MaxPool2d', m.kernelSize, { stride: m.stride, padding: m.padding, dilation: m.dilation, ceilMode: m.ceilMode }, false);
  return {
    KH: p.kernel[0], KW: p.kernel[1], strideH: p.stride[0], strideW: p.stride[1], padH: p.padding[0], padW: p.padding[1],
    dilationH: p.dilation[0], dilationW: p.dilation[1], ceilMode: p.ceilMode,
  };
}

function canFuse(conv: Conv2d, bn: BatchNorm1d, x: Tensor, residual: Tensor | null): boolean {
  if (bn.training || bn.runningMean === null || bn.runningVar === null || activeTracer() !== null) return false;
  if (bn.numFeatures !== conv.outChannels || x.ndim !== 4 || x.shape[1] !== conv.inChannels || x.shape[0] === 0) return false;
  return !x.tracksGrad && !conv.weight.tracksGrad && !(residual?.tracksGrad ?? false) && !(conv.bias?.tracksGrad ?? false) &&
    !(bn.weight?.tracksGrad ?? false) && !(bn.bias?.tracksGrad ?? false);
}

/** The convolution's weights in `form`, prepared again when the weight tensor has changed. */
function preparedWeights(conv: Conv2d, cache: InferenceCache, g: Conv2dGeometry, form: ConvWeightsForm): Tensor {
  const w = conv.weight;
  const have = cache.weights.get(form);
  if (have !== undefined && have.version === w.version) return have.t;
  have?.t.dispose();
  const t = Tensor.empty([convWeightsFloats(w.k, g, form)], w.k).keep();
  prepareConvWeights(w.k, g, form, w.ptr, t.ptr);
  cache.weights.set(form, { version: w.version, t });
  return t;
}

/**
 * [scale | shift], OC floats each: batch norm's s and t (as its eval pass computes them), the
 * convolution's bias folded into the shift (t + s b). Recomputed when a statistic, weight or eps changes.
 */
function scaleShift(conv: Conv2d, bn: BatchNorm1d, cache: InferenceCache): Tensor {
  const sources = [bn.runningMean!, bn.runningVar!, bn.weight, bn.bias, conv.bias];
  const a = cache.affine;
  if (a !== null && a.bn === bn && a.eps === bn.eps && sources.every((t, i) => t === a.sources[i] && (t === null || t.version === a.versions[i]))) return a.t;
  cache.affine?.t.dispose();
  const C = conv.outChannels;
  const k = conv.weight.k;
  const t = Tensor.empty([2 * C], k).keep();
  batchNormScaleShift(k, C, bn.runningMean!.ptr, bn.runningVar!.ptr, bn.weight?.ptr ?? 0, bn.bias?.ptr ?? 0, bn.eps, t.ptr, t.ptr + C * 4);
  if (conv.bias !== null) {
    const st = t.data;
    const b = conv.bias.data;
    for (let c = 0; c < C; c++) st[C + c] = Math.fround(st[C + c]! + Math.fround(st[c]! * b[c]!));
  }
  cache.affine = { bn, eps: bn.eps, sources, versions: sources.map((s) => s?.version ?? 0), t };
  return t;
}
