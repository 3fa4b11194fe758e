/**
 * Module types by name, so an architecture saved as JSON (getConfig) can be rebuilt. Built-in layers
 * are registered here; user modules add themselves with registerModuleType.
 */
import type { Module, ModuleConfig } from './module.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';
import { Dropout } from './dropout.js';
import { BatchNorm1d } from './batchnorm.js';
import { Flatten, Reshape } from './reshape.js';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d } from './conv.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from './recurrent.js';
import { Embedding } from './embedding.js';
import { AdditiveAttention, DotAttention } from './attention.js';
import { ELU, Gaussian, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh } from './activations.js';

export type ModuleFactory = (config: Record<string, unknown>, children: Module[]) => Module;

const factories = new Map<string, ModuleFactory>();

export function registerModuleType(type: string, factory: ModuleFactory): void {
  factories.set(type, factory);
}

const num = (c: Record<string, unknown>, key: string, fallback?: number): number => {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`architecture: "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
};

registerModuleType('Linear', (c) => new Linear(num(c, 'inFeatures'), num(c, 'outFeatures'), { bias: c.bias !== false }));
registerModuleType('Sequential', (c, children) => {
  const names = c.names as string[] | undefined;
  return names ? new Sequential(Object.fromEntries(names.map((n, i) => [n, children[i]!]))) : new Sequential(...children);
});
registerModuleType('Dropout', (c) => new Dropout(num(c, 'p', 0.5)));
registerModuleType(
  'BatchNorm1d',
  (c) =>
    new BatchNorm1d(num(c, 'numFeatures'), {
      eps: num(c, 'eps', 1e-5),
      momentum: num(c, 'momentum', 0.1),
      affine: c.affine !== false,
      trackRunningStats: c.trackRunningStats !== false,
    }),
);
registerModuleType('Flatten', (c) => new Flatten(num(c, 'startDim', 1), num(c, 'endDim', -1)));
registerModuleType('Reshape', (c) => new Reshape(c.shape as number[]));
registerModuleType('Identity', () => new Identity());
registerModuleType('Step', () => new Step());
registerModuleType('Sigmoid', () => new Sigmoid());
registerModuleType('Tanh', () => new Tanh());
registerModuleType('ReLU', () => new ReLU());
registerModuleType('Gaussian', () => new Gaussian());
registerModuleType('LeakyReLU', (c) => new LeakyReLU(num(c, 'negativeSlope', 0.01)));
registerModuleType('ELU', (c) => new ELU(num(c, 'alpha', 1)));
registerModuleType('Softmax', (c) => new Softmax(num(c, 'dim', -1)));
registerModuleType('LogSoftmax', (c) => new LogSoftmax(num(c, 'dim', -1)));

type P = number | [number, number];
registerModuleType(
  'Conv2d',
  (c) =>
    new Conv2d(num(c, 'inChannels'), num(c, 'outChannels'), c.kernelSize as P, {
      stride: c.stride as P, padding: c.padding as P, dilation: c.dilation as P, groups: num(c, 'groups', 1), bias: c.bias !== false,
    }),
);
registerModuleType('MaxPool2d', (c) => new MaxPool2d(c.kernelSize as P, { stride: c.stride as P, padding: c.padding as P, dilation: c.dilation as P, ceilMode: c.ceilMode === true }));
registerModuleType('AvgPool2d', (c) => new AvgPool2d(c.kernelSize as P, { stride: c.stride as P, padding: c.padding as P, countIncludePad: c.countIncludePad !== false, ceilMode: c.ceilMode === true }));
registerModuleType('AdaptiveAvgPool2d', (c) => new AdaptiveAvgPool2d(c.outputSize as P));
registerModuleType(
  'BatchNorm2d',
  (c) =>
    new BatchNorm2d(num(c, 'numFeatures'), {
      eps: num(c, 'eps', 1e-5), momentum: num(c, 'momentum', 0.1), affine: c.affine !== false, trackRunningStats: c.trackRunningStats !== false,
    }),
);

const recurrentOpts = (c: Record<string, unknown>) => ({
  numLayers: num(c, 'numLayers', 1), bias: c.bias !== false, batchFirst: c.batchFirst === true,
  dropout: num(c, 'dropout', 0), bidirectional: c.bidirectional === true,
});
const nonlinearity = (c: Record<string, unknown>) => (c.nonlinearity === 'relu' ? 'relu' : 'tanh') as 'tanh' | 'relu';
registerModuleType('RNN', (c) => new RNN(num(c, 'inputSize'), num(c, 'hiddenSize'), { ...recurrentOpts(c), nonlinearity: nonlinearity(c) }));
registerModuleType('LSTM', (c) => new LSTM(num(c, 'inputSize'), num(c, 'hiddenSize'), recurrentOpts(c)));
registerModuleType('GRU', (c) => new GRU(num(c, 'inputSize'), num(c, 'hiddenSize'), recurrentOpts(c)));
registerModuleType('RNNCell', (c) => new RNNCell(num(c, 'inputSize'), num(c, 'hiddenSize'), { bias: c.bias !== false, nonlinearity: nonlinearity(c) }));
registerModuleType('LSTMCell', (c) => new LSTMCell(num(c, 'inputSize'), num(c, 'hiddenSize'), { bias: c.bias !== false }));
registerModuleType('GRUCell', (c) => new GRUCell(num(c, 'inputSize'), num(c, 'hiddenSize'), { bias: c.bias !== false }));
registerModuleType(
  'Embedding',
  (c) => new Embedding(num(c, 'numEmbeddings'), num(c, 'embeddingDim'), { paddingIdx: typeof c.paddingIdx === 'number' ? c.paddingIdx : null }),
);

registerModuleType('DotAttention', (c) => new DotAttention(num(c, 'queryDim'), num(c, 'keyDim'), { general: c.general === true, scaled: c.scaled === true }));
registerModuleType('AdditiveAttention', (c) => new AdditiveAttention(num(c, 'queryDim'), num(c, 'keyDim'), num(c, 'attentionDim')));

/** Rebuilds a module (with fresh weights) from its saved architecture. */
export function moduleFromConfig(config: ModuleConfig): Module {
  if (config === null || typeof config !== 'object' || typeof config.type !== 'string') {
    throw new Error(`architecture: expected {type, config}, got ${JSON.stringify(config)?.slice(0, 80)}`);
  }
  const factory = factories.get(config.type);
  if (factory === undefined) {
    throw new Error(`architecture: unknown module type "${config.type}" (register it with registerModuleType)`);
  }
  // Children keep the order they were saved in (named Sequentials rely on it).
  const children = Object.values(config.children ?? {}).map((c) => moduleFromConfig(c));
  return factory(config.config ?? {}, children);
}
