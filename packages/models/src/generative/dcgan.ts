/**
 * DCGAN (Radford, Metz and Chintala 2016) for 28x28 single-channel images. Generator: z (64) →
 * Linear(64, 128·7·7, no bias) + BatchNorm1d + ReLU → [128, 7, 7] → ConvTranspose2d(128, 64, 4, 2, 1,
 * no bias) + BatchNorm2d + ReLU → ConvTranspose2d(64, 1, 4, 2, 1) + tanh. Discriminator: Conv2d(1, 64,
 * 4, 2, 1) + LeakyReLU 0.2 → Conv2d(64, 128, 4, 2, 1, no bias) + BatchNorm2d + LeakyReLU 0.2 →
 * Linear(128·7·7, 1). Weights start as the paper's N(0, 0.02) (batch-norm scales N(1, 0.02), shifts
 * 0). With `numClasses` it is conditional: one-hot labels join z, and the discriminator reads them by
 * a projection on its 128·7·7 features (`conditioning: 'projection'`, Miyato and Koyama 2018), as
 * constant extra input planes ('concat'), or predicts them with 1 + classes outputs ('auxiliary',
 * AC-GAN; see gan-model.ts). Trained with trainGan (Adam 2e-4, betas (0.5, 0.999));
 * saves and loads as 'DCGAN'.
 */
import * as nn from '@deepwasm/nn';
import { GAN_CONDITIONINGS, GanModel, type GanConditioning } from './gan-model.js';
import { oneHotRows } from './labels.js';

export interface DCGANOptions {
  /** Length of z (default 64). */
  latentDim?: number;
  /** Classes of a conditional DCGAN (default 0). */
  numClasses?: number;
  /** How the discriminator reads the labels of a conditional DCGAN (default 'auxiliary'). */
  conditioning?: GanConditioning;
  generator?: nn.Generator;
}
const DCGAN_OPTIONS = nn.check.optionKeys<DCGANOptions>({ latentDim: true, numClasses: true, conditioning: true, generator: true });

export class DCGAN extends GanModel {
  static override readonly typeName = 'DCGAN';
  readonly netG: nn.Sequential;
  readonly netD: nn.Sequential;
  readonly imageShape: readonly number[];
  readonly projection: nn.Embedding | null;

  constructor(opts: DCGANOptions = {}) {
    nn.check.checkOptions('DCGAN', opts, DCGAN_OPTIONS);
    const latent = opts.latentDim === undefined ? 64 : nn.check.int('DCGAN', 'latentDim', opts.latentDim);
    const classes = opts.numClasses === undefined ? 0 : nn.check.int('DCGAN', 'numClasses', opts.numClasses, 0);
    if (opts.generator !== undefined) nn.check.checkGenerator('DCGAN', opts.generator);
    super('DCGAN', latent, classes, opts.generator ?? nn.defaultGenerator, opts.conditioning ?? 'auxiliary');
    this.imageShape = [1, 28, 28];
    const g = { generator: opts.generator };
    this.netG = this.registerModule('generator', new nn.Sequential(
      new nn.Linear(latent + classes, 128 * 7 * 7, { bias: false, ...g }), new nn.BatchNorm1d(128 * 7 * 7), new nn.ReLU(), new nn.Reshape([128, 7, 7]),
      new nn.ConvTranspose2d(128, 64, 4, { stride: 2, padding: 1, bias: false, ...g }), new nn.BatchNorm2d(64), new nn.ReLU(),
      new nn.ConvTranspose2d(64, 1, 4, { stride: 2, padding: 1, ...g }), new nn.Tanh(),
    ));
    this.netD = this.registerModule('discriminator', new nn.Sequential(
      new nn.Conv2d(1 + (this.concatLabels ? classes : 0), 64, 4, { stride: 2, padding: 1, ...g }), new nn.LeakyReLU(0.2),
      new nn.Conv2d(64, 128, 4, { stride: 2, padding: 1, bias: false, ...g }), new nn.BatchNorm2d(128), new nn.LeakyReLU(0.2),
      new nn.Flatten(), new nn.Linear(128 * 7 * 7, this.discriminatorOutputs, g),
    ));
    this.projection = classes > 0 && this.conditioning === 'projection' ? this.registerModule('projection', new nn.Embedding(classes, 128 * 7 * 7, g)) : null;
    dcganInit(this, opts.generator ?? nn.defaultGenerator);
  }

  protected conditionImages(x: nn.Tensor, labels: Int32Array): nn.Tensor {
    const n = x.shape[0]!;
    const planes = nn.expand(nn.reshape(oneHotRows(labels, this.numClasses), [n, this.numClasses, 1, 1]), [n, this.numClasses, 28, 28]);
    return nn.concat([x, planes], 1);
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'DCGAN', config: { latentDim: this.latentDim, numClasses: this.numClasses, conditioning: this.conditioning } };
  }
}

/** Radford et al.'s initialisation: weights (and class embeddings) N(0, 0.02), batch-norm scales N(1, 0.02); biases as built, shifts 0. */
export function dcganInit(model: nn.Module, generator: nn.Generator): void {
  nn.noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (m instanceof nn.BatchNorm1d) {
        if (m.weight) nn.init.normal_(m.weight, 1, 0.02, generator);
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear || m instanceof nn.Conv2d || m instanceof nn.ConvTranspose2d || m instanceof nn.Embedding) {
        nn.init.normal_(m.weight, 0, 0.02, generator);
      }
    }
  });
}

const { int, oneOf } = nn.configFields;
// Files written before the projection existed hold no `conditioning`: theirs was 'concat'.
nn.registerModuleType('DCGAN', (c) => new DCGAN(c), {
  latentDim: int({ min: 1, default: 64 }), numClasses: int({ min: 0, default: 0 }), conditioning: oneOf(GAN_CONDITIONINGS, 'concat'),
});
