/**
 * The encoder and decoder shared by the autoencoders and VAEs, MLP or convolutional, with PyTorch's
 * examples/vae names: fc1 (→ hidden) + ReLU reads the image (the convolutional form first runs
 * `features`: Conv2d(1, 32, 4, 2, 1) + ReLU → Conv2d(32, 64, 4, 2, 1) + ReLU → [64·7·7]); fc3
 * (latent → hidden) + ReLU → fc4 (→ image logits; the convolutional form → [64·7·7] + ReLU, then
 * `deconv`: ConvTranspose2d(64, 32, 4, 2, 1) + ReLU → ConvTranspose2d(32, 1, 4, 2, 1)). A conditional
 * model appends one-hot labels to the inputs of fc1 and fc3. MLP images are [N, inputSize]; the
 * convolutional form reads and writes [N, 1, 28, 28] (and accepts [N, 784]).
 */
import * as nn from '@deepwasm/nn';
import { withLabels } from './labels.js';

export type CodecKind = 'mlp' | 'conv';

export interface CodecOptions {
  /** 'mlp' (default) or 'conv' (28x28 single-channel images). */
  kind?: CodecKind;
  /** Pixels per image of the MLP form (default 784). */
  inputSize?: number;
  /** Width of fc1 and fc3 (default 400). */
  hiddenSize?: number;
  latentDim?: number;
  generator?: nn.Generator;
}

export interface CodecConfig {
  kind: CodecKind;
  inputSize: number;
  hiddenSize: number;
  latentDim: number;
}

const CONV_SIDE = 28;
const CONV_FEATURES = 64 * 7 * 7;
export const CODEC_KEYS = nn.check.optionKeys<CodecOptions>({ kind: true, inputSize: true, hiddenSize: true, latentDim: true, generator: true });

/** Checks the shared options (unknown keys, beyond `extra`, are refused) and fills the defaults. */
export function readCodecOptions(where: string, opts: CodecOptions, defaultLatent: number, extra: ReadonlySet<string> = new Set()): CodecConfig {
  nn.check.checkOptions(where, opts, nn.check.joinKeys(CODEC_KEYS, extra));
  const kind = opts.kind === undefined ? 'mlp' : nn.check.oneOf(where, 'kind', opts.kind, ['mlp', 'conv'] as const);
  const inputSize = opts.inputSize === undefined ? CONV_SIDE * CONV_SIDE : nn.check.int(where, 'inputSize', opts.inputSize);
  if (kind === 'conv' && inputSize !== CONV_SIDE * CONV_SIDE) throw new Error(`${where}: the convolutional form reads 28x28 images (inputSize 784), got inputSize ${inputSize}`);
  if (opts.generator !== undefined) nn.check.checkGenerator(where, opts.generator);
  return {
    kind,
    inputSize,
    hiddenSize: opts.hiddenSize === undefined ? 400 : nn.check.int(where, 'hiddenSize', opts.hiddenSize),
    latentDim: opts.latentDim === undefined ? defaultLatent : nn.check.int(where, 'latentDim', opts.latentDim),
  };
}

const { int, oneOf } = nn.configFields;
/** The schema of the shared fields, for registerModuleType. */
export const CODEC_FIELDS = { kind: oneOf(['mlp', 'conv'], 'mlp'), inputSize: int({ min: 1, default: 784 }), hiddenSize: int({ min: 1, default: 400 }), latentDim: int({ min: 1 }) };

export abstract class CodecNet extends nn.Module {
  readonly features: nn.Sequential | null;
  readonly fc1: nn.Linear;
  readonly fc3: nn.Linear;
  readonly fc4: nn.Linear;
  readonly deconv: nn.Sequential | null;

  constructor(
    readonly where: string,
    readonly options: CodecConfig,
    readonly numClasses = 0,
    generator?: nn.Generator,
  ) {
    super();
    const g = { generator };
    const { kind, inputSize, hiddenSize, latentDim } = options;
    const conv = kind === 'conv';
    this.features = conv
      ? this.registerModule('features', new nn.Sequential(
          new nn.Conv2d(1, 32, 4, { stride: 2, padding: 1, ...g }), new nn.ReLU(),
          new nn.Conv2d(32, 64, 4, { stride: 2, padding: 1, ...g }), new nn.ReLU(), new nn.Flatten(),
        ))
      : null;
    this.fc1 = this.registerModule('fc1', new nn.Linear((conv ? CONV_FEATURES : inputSize) + numClasses, hiddenSize, g));
    this.fc3 = this.registerModule('fc3', new nn.Linear(latentDim + numClasses, hiddenSize, g));
    this.fc4 = this.registerModule('fc4', new nn.Linear(hiddenSize, conv ? CONV_FEATURES : inputSize, g));
    this.deconv = conv
      ? this.registerModule('deconv', new nn.Sequential(
          new nn.ReLU(), new nn.Reshape([64, 7, 7]),
          new nn.ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1, ...g }), new nn.ReLU(),
          new nn.ConvTranspose2d(32, 1, 4, { stride: 2, padding: 1, ...g }),
        ))
      : null;
  }

  /** The shape a batch of n images has at the decoder's output. */
  imageShape(n: number): number[] {
    return this.options.kind === 'conv' ? [n, 1, CONV_SIDE, CONV_SIDE] : [n, this.options.inputSize];
  }

  /** ReLU(fc1(image features, labels)) [N, hidden]. */
  protected encodeHidden(x: nn.Tensor, labels: Int32Array = new Int32Array(0)): nn.Tensor {
    if (x.ndim < 2 || x.size !== x.shape[0]! * this.options.inputSize) {
      throw new Error(`${this.where}: expected images [N, ${this.options.inputSize}]${this.features ? ' or [N, 1, 28, 28]' : ''}, got ${nn.formatShape(x.shape)}`);
    }
    const n = x.shape[0]!;
    const f = this.features ? this.features.forward(nn.reshape(x, this.imageShape(n))) : nn.reshape(x, [n, this.options.inputSize]);
    return nn.relu(this.fc1.forward(withLabels(f, labels, this.numClasses)));
  }

  /** Image logits for codes z [N, latentDim] (shaped as imageShape). */
  decodeLogits(z: nn.Tensor, labels: Int32Array = new Int32Array(0)): nn.Tensor {
    if (z.ndim !== 2 || z.shape[1] !== this.options.latentDim) throw new Error(`${this.where}: expected codes [N, ${this.options.latentDim}], got ${nn.formatShape(z.shape)}`);
    const h = this.fc4.forward(nn.relu(this.fc3.forward(withLabels(z, labels, this.numClasses))));
    return this.deconv ? this.deconv.forward(h) : h;
  }

  /** Runs `fn` in eval mode without gradients, restoring the mode after. */
  protected inEval<T>(fn: () => T): T {
    const was = this.training;
    this.eval();
    try {
      return nn.noGrad(fn);
    } finally {
      this.train(was);
    }
  }
}
