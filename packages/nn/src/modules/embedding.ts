/** Embedding table [num, dim], N(0, 1) initialised like PyTorch; forward takes integer indices. */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { normal_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { embedding, type IndexLike } from '../functional/embedding.js';

export interface EmbeddingOptions {
  /** This row is zero-initialised and gets no gradient. */
  paddingIdx?: number | null;
  generator?: Generator;
}

export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    if (!Number.isInteger(numEmbeddings) || numEmbeddings <= 0 || !Number.isInteger(embeddingDim) || embeddingDim <= 0) {
      throw new Error(`Embedding(${numEmbeddings}, ${embeddingDim}): sizes must be positive integers`);
    }
    this.paddingIdx = opts.paddingIdx ?? null;
    if (this.paddingIdx !== null && !(this.paddingIdx >= 0 && this.paddingIdx < numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx ${this.paddingIdx} is outside [0, ${numEmbeddings})`);
    }
    const w = normal_(Tensor.empty([numEmbeddings, embeddingDim]), 0, 1, opts.generator ?? defaultGenerator);
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = this.registerParameter('weight', w);
  }

  /** ids of any shape → [...shape, dim]. Accepts a Tensor of whole numbers, an Int32Array/array, or {indices, shape}. */
  override forward(ids: IndexLike): Tensor {
    return embedding(ids, this.weight, this.paddingIdx);
  }

  override call(ids: IndexLike): Tensor {
    return this.forward(ids);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Embedding', config: { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx } };
  }
}
