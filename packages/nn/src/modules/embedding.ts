/** Embedding table [num, dim], N(0, 1) initialised like PyTorch; forward takes integer indices. */
import { Module, type ModuleConfig } from './module.js';
import { Tensor } from '../tensor/tensor.js';
import { normal_ } from '../init/init.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { embedding, paddingIndex, type IndexLike } from '../functional/embedding.js';
import { checkOptions, int, optionKeys } from '../check/options.js';

export interface EmbeddingOptions {
  /** This row is zero-initialised and gets no gradient. */
  paddingIdx?: number | null;
  generator?: Generator;
}
export const EMBEDDING_OPTIONS = optionKeys<EmbeddingOptions>({ paddingIdx: true, generator: true });

export class Embedding extends Module {
  static override readonly typeName = 'Embedding';
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    checkOptions('Embedding', opts, EMBEDDING_OPTIONS);
    int('Embedding', 'numEmbeddings', numEmbeddings);
    int('Embedding', 'embeddingDim', embeddingDim);
    this.paddingIdx = opts.paddingIdx == null ? null : paddingIndex('Embedding', opts.paddingIdx, numEmbeddings);
    const w = normal_(Tensor.empty([numEmbeddings, embeddingDim]), 0, 1, opts.generator ?? defaultGenerator);
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = this.registerParameter('weight', w);
  }

  /** ids of any shape → [...shape, dim]. Accepts a Tensor of whole numbers, an Int32Array/array, or {indices, shape}. */
  override forward(ids: IndexLike): Tensor {
    return embedding(ids, this.weight, this.paddingIdx, `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`);
  }

  override call(ids: IndexLike): Tensor {
    return this.forward(ids);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Embedding', config: { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx } };
  }
}
