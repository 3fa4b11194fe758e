/**
 * Attention layers for encoder–decoder models. `memory(keys, ...)` prepares what does not change
 * while decoding (projected keys, the padding mask) once per source batch; `attend(query, memory)`
 * runs per decoder step.
 */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { Linear } from './linear.js';
import { uniform_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { additiveAttention, attentionMaskBias, dotProductAttention, type AttentionResult } from '../functional/attention.js';
import { lengthsToMask } from '../functional/recurrent.js';
import { permute } from '../functional/shape-ops.js';
import { bool, checkGenerator, checkOptions, describe, int, optionKeys } from '../check/options.js';

export interface AttentionMemory {
  keys: Tensor;
  values: Tensor;
  /** Keys after the layer's key projection (additive and general attention). */
  projected: Tensor;
  maskBias: Tensor | null;
}

export interface MemoryOptions {
  /** Defaults to the keys. */
  values?: Tensor;
  /** Real source lengths (1..T) or a [B, T] 0/1 mask. */
  lengths?: ArrayLike<number>;
  mask?: Tensor;
}
export const MEMORY_OPTIONS = optionKeys<MemoryOptions>({ values: true, lengths: true, mask: true });

function maskBias(keys: Tensor, opts: MemoryOptions): Tensor | null {
  checkOptions('attention memory', opts, MEMORY_OPTIONS);
  if (!(keys instanceof Tensor) || keys.ndim !== 3) throw new TypeError(`attention: keys must be a Tensor [B, T, H], got ${describe(keys)}`);
  const [B, T] = keys.shape as [number, number, number];
  if (opts.lengths) {
    if (opts.lengths.length !== B) throw new Error(`attention: ${opts.lengths.length} lengths for a batch of ${B}`);
    return attentionMaskBias(permute(lengthsToMask(opts.lengths, T, 'attention'), [1, 0]));
  }
  if (opts.mask) {
    if (opts.mask.ndim !== 2 || opts.mask.shape[0] !== B || opts.mask.shape[1] !== T) {
      throw new Error(`attention: mask ${formatShape(opts.mask.shape)} does not match keys ${formatShape(keys.shape)}: expected [${B}, ${T}]`);
    }
    return attentionMaskBias(opts.mask);
  }
  return null;
}

/** Common surface of the attention layers. */
export abstract class Attention extends Module {
  abstract memory(keys: Tensor, opts?: MemoryOptions): AttentionMemory;
  abstract attend(query: Tensor, memory: AttentionMemory): AttentionResult;

  /** The context vector only. */
  forward(query: Tensor, keys: Tensor): Tensor {
    return this.attend(query, this.memory(keys)).context;
  }
}

export interface DotAttentionOptions {
  /** Luong's "general" score q · W k (W is [queryDim, keyDim]); plain dot product when false (default). */
  general?: boolean;
  /** Multiply scores by 1/sqrt(keyDim) (scaled dot product). */
  scaled?: boolean;
  generator?: Generator;
}
export const DOT_ATTENTION_OPTIONS = optionKeys<DotAttentionOptions>({ general: true, scaled: true, generator: true });

/** Luong's dot / general attention. */
export class DotAttention extends Attention {
  static override readonly typeName = 'DotAttention';
  readonly proj: Linear | null;

  constructor(readonly queryDim: number, readonly keyDim: number = queryDim, readonly opts: DotAttentionOptions = {}) {
    super();
    checkOptions('DotAttention', opts, DOT_ATTENTION_OPTIONS);
    int('DotAttention', 'queryDim', queryDim);
    int('DotAttention', 'keyDim', keyDim);
    for (const k of ['general', 'scaled'] as const) if (opts[k] !== undefined) bool('DotAttention', k, opts[k]);
    if (opts.generator !== undefined) checkGenerator('DotAttention', opts.generator);
    if (!opts.general && queryDim !== keyDim) {
      throw new Error(`DotAttention: query size ${queryDim} and key size ${keyDim} differ; use { general: true } to learn a projection`);
    }
    this.proj = opts.general ? this.registerModule('proj', new Linear(keyDim, queryDim, { bias: false, generator: opts.generator })) : null;
  }

  memory(keys: Tensor, opts: MemoryOptions = {}): AttentionMemory {
    return { keys, values: opts.values ?? keys, projected: this.proj ? this.proj.forward(keys) : keys, maskBias: maskBias(keys, opts) };
  }

  attend(query: Tensor, m: AttentionMemory): AttentionResult {
    const scale = this.opts.scaled ? 1 / Math.sqrt(this.keyDim) : 1;
    return dotProductAttention(query, m.projected, m.values, { maskBias: m.maskBias, scale });
  }

  override getConfig(): ModuleConfig {
    return { type: 'DotAttention', config: { queryDim: this.queryDim, keyDim: this.keyDim, general: !!this.opts.general, scaled: !!this.opts.scaled } };
  }
}

/** Bahdanau's additive attention: score = vᵀ tanh(W_q q + W_k k). */
export class AdditiveAttention extends Attention {
  static override readonly typeName = 'AdditiveAttention';
  readonly queryProj: Linear;
  readonly keyProj: Linear;
  readonly v: Tensor;

  constructor(readonly queryDim: number, readonly keyDim: number, readonly attentionDim: number, generator: Generator = defaultGenerator) {
    super();
    for (const [k, v] of [['queryDim', queryDim], ['keyDim', keyDim], ['attentionDim', attentionDim]] as const) int('AdditiveAttention', k, v);
    checkGenerator('AdditiveAttention', generator);
    this.queryProj = this.registerModule('query_proj', new Linear(queryDim, attentionDim, { bias: false, generator }));
    this.keyProj = this.registerModule('key_proj', new Linear(keyDim, attentionDim, { generator }));
    const bound = 1 / Math.sqrt(attentionDim);
    this.v = this.registerParameter('v', uniform_(Tensor.empty([attentionDim]), -bound, bound, generator));
  }

  memory(keys: Tensor, opts: MemoryOptions = {}): AttentionMemory {
    return { keys, values: opts.values ?? keys, projected: this.keyProj.forward(keys), maskBias: maskBias(keys, opts) };
  }

  attend(query: Tensor, m: AttentionMemory): AttentionResult {
    return additiveAttention(this.queryProj.forward(query), m.projected, this.v, m.values, m.maskBias);
  }

  override getConfig(): ModuleConfig {
    return { type: 'AdditiveAttention', config: { queryDim: this.queryDim, keyDim: this.keyDim, attentionDim: this.attentionDim } };
  }
}
