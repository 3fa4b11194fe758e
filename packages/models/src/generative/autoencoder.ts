/**
 * Autoencoders on flattened images in [0, 1]: an encoder to a code of `latentDim` numbers and a decoder
 * back to the image's logits, trained with binary cross-entropy summed over the pixels. MLP form:
 * fc1 (input → hidden) + ReLU → fc2 (→ latent); fc3 (latent → hidden) + ReLU → fc4 (→ input).
 *
 * DenoisingAutoencoder (Vincent et al. 2008) corrupts its input while training (masking noise: each
 * pixel set to 0 with probability `noiseLevel`; or Gaussian noise of that standard deviation) and
 * learns to reconstruct the clean image. Both save and load as 'Autoencoder' / 'DenoisingAutoencoder'.
 */
import * as nn from '@deepwasm/nn';
import { CodecNet, CODEC_FIELDS, CODEC_KEYS, readCodecOptions, type CodecOptions } from './codec.js';

export interface AutoencoderOptions extends CodecOptions {}

export class Autoencoder extends CodecNet {
  static override readonly typeName: string = 'Autoencoder';
  readonly fc2: nn.Linear;

  constructor(opts: AutoencoderOptions = {}, name = 'Autoencoder') {
    super(name, readCodecOptions(name, opts, 32), 0, opts.generator);
    const { hiddenSize, latentDim } = this.options;
    this.fc2 = this.registerModule('fc2', new nn.Linear(hiddenSize, latentDim, { generator: opts.generator }));
  }

  /** The code [N, latentDim]. */
  encode(x: nn.Tensor): nn.Tensor {
    return this.fc2.forward(this.encodeHidden(x));
  }

  /** Reconstruction logits for a batch (the input corrupted first when a denoising model trains). */
  forward(x: nn.Tensor): nn.Tensor {
    return this.decodeLogits(this.encode(this.corrupt(x)));
  }

  /** Binary cross-entropy per image (summed over pixels), averaged over the batch. */
  loss(x: nn.Tensor): nn.Tensor {
    const logits = this.forward(x);
    return nn.affine(nn.binaryCrossEntropyWithLogits(logits, nn.reshape(x, logits.shape), 'sum'), 1 / x.shape[0]!);
  }

  /** Pixel probabilities of the reconstruction of clean inputs (no gradients). */
  reconstruct(x: nn.Tensor): nn.Tensor {
    return this.inEval(() => nn.sigmoid(this.decodeLogits(this.encode(x))));
  }

  /** The input as the encoder sees it while training (unchanged here). */
  protected corrupt(x: nn.Tensor): nn.Tensor {
    return x;
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'Autoencoder', config: { ...this.options } };
  }
}

export interface DenoisingAutoencoderOptions extends AutoencoderOptions {
  /** 'mask' (default): pixels dropped to 0; 'gaussian': additive noise. */
  noise?: 'mask' | 'gaussian';
  /** Probability of masking a pixel, or the noise's standard deviation (default 0.3). */
  noiseLevel?: number;
}
const DAE_OPTIONS = nn.check.joinKeys(CODEC_KEYS, nn.check.optionKeys<Pick<DenoisingAutoencoderOptions, 'noise' | 'noiseLevel'>>({ noise: true, noiseLevel: true }));

export class DenoisingAutoencoder extends Autoencoder {
  static override readonly typeName = 'DenoisingAutoencoder';
  readonly noise: 'mask' | 'gaussian';
  readonly noiseLevel: number;
  private readonly noiseGenerator: nn.Generator;

  constructor(opts: DenoisingAutoencoderOptions = {}) {
    nn.check.checkOptions('DenoisingAutoencoder', opts, DAE_OPTIONS);
    const { noise, noiseLevel, ...rest } = opts;
    super(rest, 'DenoisingAutoencoder');
    this.noise = noise === undefined ? 'mask' : nn.check.oneOf('DenoisingAutoencoder', 'noise', noise, ['mask', 'gaussian'] as const);
    this.noiseLevel = noiseLevel === undefined ? 0.3 : nn.check.num('DenoisingAutoencoder', 'noiseLevel', noiseLevel, 0, this.noise === 'mask' ? 1 : Infinity);
    this.noiseGenerator = opts.generator ?? nn.defaultGenerator;
  }

  /** Masking or Gaussian noise while training; the clean input in eval mode. */
  protected override corrupt(x: nn.Tensor): nn.Tensor {
    if (!this.training || this.noiseLevel === 0) return x;
    const g = { generator: this.noiseGenerator };
    return nn.noGrad(() =>
      this.noise === 'mask' ? nn.mul(x, nn.bernoulli(nn.full(x.shape, 1 - this.noiseLevel), g)) : nn.normalAround(x, this.noiseLevel, g),
    );
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'DenoisingAutoencoder', config: { ...this.options, noise: this.noise, noiseLevel: this.noiseLevel } };
  }
}

const { num, oneOf } = nn.configFields;
nn.registerModuleType('Autoencoder', (c) => new Autoencoder(c), CODEC_FIELDS);
nn.registerModuleType('DenoisingAutoencoder', (c) => new DenoisingAutoencoder(c), {
  ...CODEC_FIELDS, noise: oneOf(['mask', 'gaussian'], 'mask'), noiseLevel: num({ min: 0, default: 0.3 }),
});
