/**
 * GAN (Goodfellow et al. 2014) with multilayer perceptrons, on flattened images: the generator z (+
 * one-hot labels) → Linear(256) + LeakyReLU 0.2 → Linear(512) + LeakyReLU 0.2 → Linear(imageSize) +
 * tanh; the discriminator image (+ one-hot labels) → Linear(512) + LeakyReLU 0.2 → Linear(256) +
 * LeakyReLU 0.2 → Linear(1). With `numClasses` it is a conditional GAN (Mirza and Osindero 2014):
 * one-hot labels join z, and the discriminator reads them by a projection on its last hidden layer
 * (`conditioning: 'projection'`, Miyato and Koyama 2018), as extra inputs ('concat'), or predicts them
 * with 1 + classes outputs ('auxiliary', AC-GAN; see gan-model.ts). Trained with
 * trainGan; saves and loads as 'GAN'.
 */
import * as nn from '@deepwasm/nn';
import { GAN_CONDITIONINGS, GanModel, type GanConditioning } from './gan-model.js';
import { oneHotRows } from './labels.js';

export interface GANOptions {
  /** Length of z (default 64). */
  latentDim?: number;
  /** Pixels per image (default 784). */
  imageSize?: number;
  /** Widths of the generator's hidden layers; the discriminator uses them reversed (default [256, 512]). */
  hiddenSizes?: number[];
  /** Classes of a conditional GAN (default 0). */
  numClasses?: number;
  /** How the discriminator reads the labels of a conditional GAN (default 'auxiliary'). */
  conditioning?: GanConditioning;
  generator?: nn.Generator;
}
const GAN_OPTIONS = nn.check.optionKeys<GANOptions>({ latentDim: true, imageSize: true, hiddenSizes: true, numClasses: true, conditioning: true, generator: true });

export class GAN extends GanModel {
  static override readonly typeName = 'GAN';
  readonly netG: nn.Sequential;
  readonly netD: nn.Sequential;
  readonly imageShape: readonly number[];
  readonly hiddenSizes: readonly number[];
  readonly projection: nn.Embedding | null;

  constructor(opts: GANOptions = {}) {
    nn.check.checkOptions('GAN', opts, GAN_OPTIONS);
    const latent = opts.latentDim === undefined ? 64 : nn.check.int('GAN', 'latentDim', opts.latentDim);
    const classes = opts.numClasses === undefined ? 0 : nn.check.int('GAN', 'numClasses', opts.numClasses, 0);
    if (opts.generator !== undefined) nn.check.checkGenerator('GAN', opts.generator);
    super('GAN', latent, classes, opts.generator ?? nn.defaultGenerator, opts.conditioning ?? 'auxiliary');
    const size = opts.imageSize === undefined ? 784 : nn.check.int('GAN', 'imageSize', opts.imageSize);
    const hidden = opts.hiddenSizes ?? [256, 512];
    if (!Array.isArray(hidden) || hidden.length === 0) throw new Error(`GAN: hiddenSizes must list at least one width, got ${JSON.stringify(hidden)}`);
    hidden.forEach((h, i) => nn.check.int('GAN', `hiddenSizes[${i}]`, h));
    this.hiddenSizes = [...hidden];
    this.imageShape = [size];
    const g = { generator: opts.generator };
    const mlp = (widths: number[], last: nn.Module | null) => {
      const layers: nn.Module[] = [];
      for (let i = 0; i + 1 < widths.length; i++) {
        layers.push(new nn.Linear(widths[i]!, widths[i + 1]!, g));
        if (i + 2 < widths.length) layers.push(new nn.LeakyReLU(0.2));
      }
      if (last) layers.push(last);
      return new nn.Sequential(...layers);
    };
    this.netG = this.registerModule('generator', mlp([latent + classes, ...hidden, size], new nn.Tanh()));
    this.netD = this.registerModule('discriminator', mlp([size + (this.concatLabels ? classes : 0), ...[...hidden].reverse(), this.discriminatorOutputs], null));
    this.projection = null;
    if (classes > 0 && this.conditioning === 'projection') {
      // Xavier-uniform class embeddings, as in Miyato and Koyama's code: logits of order one at the start.
      const e = new nn.Embedding(classes, hidden[0]!, g);
      nn.noGrad(() => nn.init.xavierUniform_(e.weight, 1, opts.generator));
      this.projection = this.registerModule('projection', e);
    }
  }

  protected conditionImages(x: nn.Tensor, labels: Int32Array): nn.Tensor {
    return nn.concat([x, oneHotRows(labels, this.numClasses)], 1);
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'GAN', config: { latentDim: this.latentDim, imageSize: this.imageShape[0], hiddenSizes: [...this.hiddenSizes], numClasses: this.numClasses, conditioning: this.conditioning } };
  }
}

const { int, ints, oneOf } = nn.configFields;
// Files written before the projection existed hold no `conditioning`: theirs was 'concat'.
nn.registerModuleType('GAN', (c) => new GAN(c), {
  latentDim: int({ min: 1, default: 64 }), imageSize: int({ min: 1, default: 784 }), hiddenSizes: ints({ min: 1 }), numClasses: int({ min: 0, default: 0 }),
  conditioning: oneOf(GAN_CONDITIONINGS, 'concat'),
});
