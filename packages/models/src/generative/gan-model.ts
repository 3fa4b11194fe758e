/**
 * What the GAN presets share and trainGan relies on: a generator network (`netG`, saved as
 * `generator.*`) from a latent code z ~ N(0, I) (with one-hot labels appended for a conditional GAN)
 * to images in [-1, 1] (tanh), and a discriminator network (`netD`, saved as `discriminator.*`) from
 * images to one logit. Data and samples are pixel values in [0, 1], as the datasets hold them: trainGan
 * maps real images to [-1, 1] and `sample` maps generated ones back.
 *
 * A conditional GAN's generator reads one-hot labels joined to z; its discriminator reads them in one
 * of three ways (`conditioning`): 'concat' joins one-hot labels to its input (Mirza and Osindero
 * 2014); 'projection' adds the inner product of a learned class embedding with its last hidden
 * features to the logit, D(x, y) = ψ(φ(x)) + e_yᵀ φ(x) (Miyato and Koyama 2018; saved as
 * `projection.weight`, [classes, features] as nn.Embedding); 'auxiliary' does not read them but
 * predicts them (AC-GAN, Odena, Olah and Shlens 2017): its last layer gives the real/fake logit and
 * one logit per class, and trainGan adds the cross-entropy of the class logits to both losses (the
 * discriminator's on real images, the generator's on generated ones). With 'concat' the
 * one-hot inputs are a few of hundreds of inputs and the discriminator can learn to ignore them, and
 * then the generator does too; the other two make the label part of what the generator is judged on.
 */
import * as nn from '@deepwasm/nn';
import { oneHotRows, readLabels, type ClassLabels } from './labels.js';

/** How a conditional GAN's discriminator reads the labels. */
export type GanConditioning = 'concat' | 'projection' | 'auxiliary';
export const GAN_CONDITIONINGS: readonly GanConditioning[] = ['concat', 'projection', 'auxiliary'];

/** The discriminator's verdict on a batch: the real/fake logit [N, 1] and, for an AC-GAN, class logits [N, classes]. */
export interface GanJudgement {
  logit: nn.Tensor;
  classLogits: nn.Tensor | null;
}

export interface GanSampleOptions {
  /** The classes to draw (one for all, or one per sample); required by a conditional GAN. */
  labels?: ClassLabels;
  generator?: nn.Generator;
}
const SAMPLE_OPTIONS = nn.check.optionKeys<GanSampleOptions>({ labels: true, generator: true });

export abstract class GanModel extends nn.Module {
  abstract readonly netG: nn.Sequential;
  abstract readonly netD: nn.Sequential;
  /** The shape of one image, e.g. [784] or [1, 28, 28]. */
  abstract readonly imageShape: readonly number[];
  /** The class embedding of a projection discriminator (null otherwise). */
  abstract readonly projection: nn.Embedding | null;

  constructor(
    readonly where: string,
    readonly latentDim: number,
    readonly numClasses: number,
    protected readonly randomness: nn.Generator,
    readonly conditioning: GanConditioning,
  ) {
    super();
    if (!GAN_CONDITIONINGS.includes(conditioning)) throw new Error(`${where}: conditioning must be 'concat', 'projection' or 'auxiliary', got ${JSON.stringify(conditioning)}`);
  }

  /** Outputs of the discriminator's last layer: the logit, and the class logits of an AC-GAN. */
  protected get discriminatorOutputs(): number {
    return this.numClasses > 0 && this.conditioning === 'auxiliary' ? 1 + this.numClasses : 1;
  }

  /** Whether the discriminator's input carries the labels (a conditional GAN with 'concat'). */
  protected get concatLabels(): boolean {
    return this.numClasses > 0 && this.conditioning === 'concat';
  }

  /** Checked labels of n rows (empty for an unconditional GAN). */
  labelsOf(where: string, labels: ClassLabels | undefined, n: number): Int32Array {
    return readLabels(`${this.where}.${where}`, labels, n, this.numClasses);
  }

  /** Generated images in [-1, 1], [N, ...imageShape], for codes z [N, latentDim]. */
  generate(z: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    if (z.ndim !== 2 || z.shape[1] !== this.latentDim) throw new Error(`${this.where}.generate: expected codes [N, ${this.latentDim}], got ${nn.formatShape(z.shape)}`);
    const n = z.shape[0]!;
    const ls = this.labelsOf('generate', labels, n);
    const input = this.numClasses ? nn.concat([z, oneHotRows(ls, this.numClasses)], 1) : z;
    return nn.reshape(this.netG.forward(input), [n, ...this.imageShape]);
  }

  /** One logit per image [N, 1] (real: high) for images in [-1, 1]. */
  discriminate(x: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    return this.judge(x, labels).logit;
  }

  /** The real/fake logit [N, 1] for images in [-1, 1], and an AC-GAN's class logits [N, classes] (null otherwise). */
  judge(x: nn.Tensor, labels?: ClassLabels): GanJudgement {
    const per = this.imageShape.reduce((a, b) => a * b, 1);
    if (x.ndim < 2 || x.size !== x.shape[0]! * per) throw new Error(`${this.where}.discriminate: expected images [N, ${this.imageShape.join(', ')}], got ${nn.formatShape(x.shape)}`);
    const n = x.shape[0]!;
    const ls = this.labelsOf('discriminate', labels, n);
    const images = nn.reshape(x, [n, ...this.imageShape]);
    if (this.discriminatorOutputs > 1) {
      const out = this.netD.forward(images);
      return { logit: nn.narrow(out, 1, 0, 1), classLogits: nn.narrow(out, 1, 1, this.numClasses) };
    }
    if (!this.projection) return { logit: this.netD.forward(this.concatLabels ? this.conditionImages(images, ls) : images), classLogits: null };
    // Projection: the features φ(x) before the last layer ψ (a Linear to one logit), then ψ(φ) + e_yᵀ φ.
    const layers = this.netD.layers;
    let h = images;
    for (let i = 0; i + 1 < layers.length; i++) h = layers[i]!.forward(h);
    return { logit: nn.add(layers[layers.length - 1]!.forward(h), nn.sum(nn.mul(this.projection.forward(ls), h), 1, true)), classLogits: null };
  }

  /** The discriminator's input with 'concat': the images, with the labels joined in the preset's way. */
  protected abstract conditionImages(x: nn.Tensor, labels: Int32Array): nn.Tensor;

  /** The generator's images for codes z. */
  forward(z: nn.Tensor, labels?: ClassLabels): nn.Tensor {
    return this.generate(z, labels);
  }

  /** n images from z ~ N(0, I), pixel values in [0, 1] (eval mode, no gradients). */
  sample(n: number, opts: GanSampleOptions = {}): nn.Tensor {
    nn.check.checkOptions(`${this.where}.sample`, opts, SAMPLE_OPTIONS);
    nn.check.int(`${this.where}.sample`, 'n', n);
    const ls = this.labelsOf('sample', opts.labels, n);
    const generator = opts.generator ?? this.randomness;
    const was = this.training;
    this.eval();
    try {
      return nn.noGrad(() => nn.affine(this.generate(nn.normalAround(nn.zeros([n, this.latentDim]), 1, { generator }), this.numClasses ? ls : undefined), 0.5, 0.5));
    } finally {
      this.train(was);
    }
  }
}
