/**
 * Weight initialisation, in place, following torch.nn.init (formulas, fan computation, gains),
 * drawing from the seedable generator.
 */
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkOptions, num, oneOf, optionKeys } from '../check/options.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

/** Fan in and fan out of a weight: [out, in, ...kernel] as PyTorch lays out Linear and Conv weights. */
export function calculateFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new Error(`fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (${t.ndim})`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (oneOf('calculateGain', 'nonlinearity', nonlinearity, NONLINEARITIES)) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

function fillWith(t: Tensor, f: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = f();
  t.version++;
  return t;
}

export function uniform_(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, () => low + (high - low) * generator.uniform());
}

export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillWith(t, () => mean + std * generator.normal());
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  t.version++;
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot & Bengio: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** Glorot & Bengio: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  /** Negative slope for leaky_relu (PyTorch's a). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}
const KAIMING_OPTIONS = optionKeys<KaimingOptions>({ a: true, mode: true, nonlinearity: true, generator: true });
const NONLINEARITIES: readonly Nonlinearity[] = ['linear', 'conv1d', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'];

/** fan and gain of checked Kaiming options. */
function kaiming(where: string, t: Tensor, opts: KaimingOptions): { fan: number; gain: number } {
  checkOptions(where, opts, KAIMING_OPTIONS);
  const mode = oneOf(where, 'mode', opts.mode ?? 'fan_in', ['fan_in', 'fan_out'] as const);
  if (opts.a !== undefined) num(where, 'a', opts.a);
  const { fanIn, fanOut } = calculateFans(t);
  return { fan: mode === 'fan_in' ? fanIn : fanOut, gain: calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) };
}

/** He et al.: U(-b, b) with b = gain * sqrt(3 / fan); defaults as torch (a=0, fan_in, leaky_relu). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { fan, gain } = kaiming('kaimingUniform_', t, opts);
  const bound = gain * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound, opts.generator);
}

/** He et al.: N(0, std^2) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { fan, gain } = kaiming('kaimingNormal_', t, opts);
  return normal_(t, 0, gain / Math.sqrt(fan), opts.generator);
}
