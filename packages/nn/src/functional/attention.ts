/**
 * Attention over encoder states for one decoder step: scores [B, T] from a query [B, Hq] and keys
 * [B, T, Hk], a softmax over T (padded positions masked out), and the weighted sum of values
 * [B, T, Hv] as the context [B, Hv]. Built from ordinary ops, so gradients need nothing special.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { add, affine, mul } from './elementwise.js';
import { sum } from './reduce.js';
import { softmax } from './softmax.js';
import { reshape, unsqueeze } from './shape-ops.js';
import { defineOp } from '../check/operands.js';
import { checkMask, checkOptions, describe, num, optionKeys } from '../check/options.js';

export interface AttentionResult {
  /** [B, Hv] */
  context: Tensor;
  /** [B, T], rows sum to 1 over the unmasked positions. */
  weights: Tensor;
}

/** Additive bias [B, T] that removes padded positions from a softmax: 0 where mask is 1, -1e9 where 0. */
export const attentionMaskBias = defineOp('attentionMaskBias', 'mask', function attentionMaskBias(mask: Tensor): Tensor {
  if (mask.ndim !== 2) throw new Error(`attention: mask must be [B, T], got ${formatShape(mask.shape)}`);
  checkMask('attention', 'mask', mask.data);
  return affine(mask, 1e9, -1e9);
});

function checkMemory(op: string, query: Tensor, keys: Tensor, values: Tensor, sameDim: boolean): void {
  if (query.ndim !== 2 || keys.ndim !== 3 || values.ndim !== 3) {
    throw new Error(`${op}: expected query [B, H], keys [B, T, H], values [B, T, V]; got ${formatShape(query.shape)}, ${formatShape(keys.shape)}, ${formatShape(values.shape)}`);
  }
  if (keys.shape[0] !== query.shape[0] || values.shape[0] !== keys.shape[0] || values.shape[1] !== keys.shape[1]) {
    throw new Error(`${op}: batch or length of query ${formatShape(query.shape)}, keys ${formatShape(keys.shape)} and values ${formatShape(values.shape)} differ`);
  }
  if (sameDim && keys.shape[2] !== query.shape[1]) {
    throw new Error(`${op}: query ${formatShape(query.shape)} and keys ${formatShape(keys.shape)} differ in their last dimension`);
  }
}

/** Softmax of scores [B, T] (with an optional mask bias) and the context it weights. */
export const attendWithScores = defineOp('attendWithScores', 'scores values maskBias:tensor?', function attendWithScores(scores: Tensor, values: Tensor, maskBias: Tensor | null = null): AttentionResult {
  const weights = softmax(maskBias ? add(scores, maskBias) : scores, 1);
  const context = sum(mul(unsqueeze(weights, 2), values), 1);
  return { context, weights };
});

/** Luong's dot-product attention: score = q · k (times `scale`, e.g. 1/sqrt(H) for scaled dot product). */
export interface DotProductAttentionOptions {
  /** Added to the scores before the softmax ([B, T], from attentionMaskBias). */
  maskBias?: Tensor | null;
  /** Multiplies the scores (default 1). */
  scale?: number;
}
const DOT_PRODUCT_ATTENTION_OPTIONS = optionKeys<DotProductAttentionOptions>({ maskBias: true, scale: true });

export const dotProductAttention = defineOp('dotProductAttention', 'query keys values:tensor?', function dotProductAttention(query: Tensor, keys: Tensor, values: Tensor = keys, opts: DotProductAttentionOptions = {}): AttentionResult {
  checkOptions('dotProductAttention', opts, DOT_PRODUCT_ATTENTION_OPTIONS);
  if (opts.scale !== undefined) num('dotProductAttention', 'scale', opts.scale);
  if (opts.maskBias != null && !(opts.maskBias instanceof Tensor)) throw new TypeError(`dotProductAttention: maskBias must be a Tensor or null, got ${describe(opts.maskBias)}`);
  checkMemory('dotProductAttention', query, keys, values, true);
  let scores = sum(mul(keys, unsqueeze(query, 1)), 2);
  if (opts.scale !== undefined && opts.scale !== 1) scores = affine(scores, opts.scale);
  return attendWithScores(scores, values, opts.maskBias ?? null);
});

/**
 * Bahdanau's additive attention given already projected keys [B, T, A] and query [B, A]:
 * score = v · tanh(Wq q + Wk k). `v` is [A].
 */
export const additiveAttention = defineOp('additiveAttention', 'projQuery projKeys v values maskBias:tensor?', function additiveAttention(projQuery: Tensor, projKeys: Tensor, v: Tensor, values: Tensor, maskBias: Tensor | null = null): AttentionResult {
  checkMemory('additiveAttention', projQuery, projKeys, values, true);
  const [B, T] = projKeys.shape as [number, number, number];
  const e = add(projKeys, unsqueeze(projQuery, 1)).tanh();
  const scores = reshape(sum(mul(e, v), 2), [B, T]);
  return attendWithScores(scores, values, maskBias);
});
