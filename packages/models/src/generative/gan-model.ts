/**
 * What the GAN presets share and trainGan relies on: a generator network (`netG`, saved as
 * `generator.*`) from a latent code z ~ N(0, I) (with one-hot labels appended for a conditional GAN)
 * to images in [-1, 1] (tanh), and a discriminator network (`netD`, saved as `discriminator.*`) from
 * images to one logit. Data and samples are pixel values in [0, 1], as the datasets hold them: trainGan
 * maps real images to [-1, 1] and `sample` maps generated ones back.
 */
import * as nn from '@deepwasm/nn';
import { oneHotRows, readLabels, type ClassLabels } from './labels.js';

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

  constructor(
    readonly where: string,
    readonly latentDim: number,
    readonly numClasses: number,
    protected readonly randomness: nn.Generator,
  ) {
    super();
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
    const per = this.imageShape.reduce((a, b) => a * b, 1);
    if (x.ndim < 2 || x.size !== x.shape[0]! * per) throw new Error(`${this.where}.discriminate: expected images [N, ${this.imageShape.join(', ')}], got ${nn.formatShape(x.shape)}`);
    const n = x.shape[0]!;
    return this.netD.forward(this.conditionImages(nn.reshape(x, [n, ...this.imageShape]), this.labelsOf('discriminate', labels, n)));
  }

  /** The discriminator's input: the images, with the labels joined in the preset's way. */
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
