/**
 * LeNet-5 (LeCun et al. 1998), as the seeds describe it: C1 6@5x5 → S2 2x2 subsampling → C3 16@5x5
 * → S4 2x2 → C5 120@5x5 → F6 84 → 10 outputs. MNIST's 28x28 digits are padded by 2 to the original
 * 32x32. Options: the activation and pooling of the original (tanh, average) or the modern choice
 * (ReLU, max), and the original partial S2→C3 connection table.
 */
import * as nn from '@deepwasm/nn';

export interface LeNet5Options {
  /** Input channels (1 for MNIST). */
  inChannels?: number;
  /** Input side: 28 (padded to 32 by C1) or 32. */
  inputSize?: 28 | 32;
  numClasses?: number;
  activation?: 'relu' | 'tanh';
  pooling?: 'max' | 'avg';
  /** Use LeCun's table: each C3 map sees only some S2 maps (60 of the 96 pairs). */
  connectionTable?: boolean;
}
export const LENET5_OPTIONS = nn.check.optionKeys<LeNet5Options>({
  inChannels: true, inputSize: true, numClasses: true, activation: true, pooling: true, connectionTable: true,
});

/** LeCun 1998, Table I: which of the 6 S2 maps (rows) each of the 16 C3 maps (columns) reads. */
export const LENET_C3_TABLE: readonly (readonly number[])[] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
];

/** C3 with the partial connection table: a 6→16 convolution whose unused weights are masked to zero. */
export class LeNetC3 extends nn.Module {
  static override readonly typeName = 'LeNetC3';
  readonly conv: nn.Conv2d;
  private readonly mask: nn.Tensor;

  constructor() {
    super();
    this.conv = this.registerModule('conv', new nn.Conv2d(6, 16, 5));
    const m = new Float32Array(16 * 6 * 25);
    LENET_C3_TABLE.forEach((inputs, out) => {
      for (const i of inputs) m.fill(1, (out * 6 + i) * 25, (out * 6 + i + 1) * 25);
    });
    this.mask = nn.tensor(m, [16, 6, 5, 5]).keep();
    nn.noGrad(() => this.conv.weight.copy_(nn.mul(this.conv.weight, this.mask)));
  }

  /** Trainable connections: 60 map pairs x 25 weights + 16 biases = 1,516 (the paper's count). */
  effectiveParameters(): number {
    return LENET_C3_TABLE.reduce((s, t) => s + t.length, 0) * 25 + 16;
  }

  forward(x: nn.Tensor): nn.Tensor {
    return nn.conv2d(x, nn.mul(this.conv.weight, this.mask), this.conv.bias);
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'LeNetC3', config: {} };
  }
}

nn.registerModuleType('LeNetC3', () => new LeNetC3(), {});

export function lenet5(opts: LeNet5Options = {}): nn.Sequential {
  const c = nn.check;
  c.checkOptions('lenet5', opts, LENET5_OPTIONS);
  const inC = opts.inChannels ?? 1;
  const size = opts.inputSize ?? 28;
  if (size !== 28 && size !== 32) throw new RangeError(`lenet5: inputSize must be 28 or 32, got ${c.describe(size)}`);
  if (opts.activation !== undefined) c.oneOf('lenet5', 'activation', opts.activation, ['relu', 'tanh'] as const);
  if (opts.pooling !== undefined) c.oneOf('lenet5', 'pooling', opts.pooling, ['max', 'avg'] as const);
  if (opts.connectionTable !== undefined) c.bool('lenet5', 'connectionTable', opts.connectionTable);
  const act = () => ((opts.activation ?? 'relu') === 'relu' ? new nn.ReLU() : new nn.Tanh());
  const pool = () => ((opts.pooling ?? 'max') === 'max' ? new nn.MaxPool2d(2) : new nn.AvgPool2d(2));
  return new nn.Sequential(
    new nn.Conv2d(inC, 6, 5, { padding: size === 28 ? 2 : 0 }), // C1: 6 @ 28x28
    act(),
    pool(), // S2: 6 @ 14x14
    opts.connectionTable ? new LeNetC3() : new nn.Conv2d(6, 16, 5), // C3: 16 @ 10x10
    act(),
    pool(), // S4: 16 @ 5x5
    new nn.Conv2d(16, 120, 5), // C5: 120 @ 1x1
    act(),
    new nn.Flatten(),
    new nn.Linear(120, 84), // F6
    act(),
    new nn.Linear(84, opts.numClasses ?? 10),
  );
}
