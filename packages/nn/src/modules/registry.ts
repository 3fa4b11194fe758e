/**
 * Module types by name, so an architecture saved as JSON (getConfig) can be rebuilt. Each built-in
 * type is one line of the list below: its config schema (field types, ranges, defaults) beside its
 * factory. User modules add themselves with registerModuleType, with a schema or without one (then
 * their config is passed through as read). Reading checks the whole tree before building anything:
 * node fields, module types, every option, children, and a nesting depth limit, and every error
 * names the JSON path (e.g. `children.3.config.kernelSize`).
 */
import type { Module, ModuleConfig } from './module.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';
import { Dropout } from './dropout.js';
import { BatchNorm1d } from './batchnorm.js';
import { Flatten, Reshape } from './reshape.js';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d } from './conv.js';
import { ConvTranspose2d } from './conv-transpose.js';
import { Upsample } from './upsample.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from './recurrent.js';
import { Embedding } from './embedding.js';
import { AdditiveAttention, DotAttention } from './attention.js';
import { ELU, Gaussian, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Step, Tanh } from './activations.js';
import { bool, int, ints, nullable, num, oneOf, optional, pair, positivePair, readConfig, suggest, uniqueStrings, type ConfigOf, type Fields } from './config-schema.js';

export type ModuleFactory = (config: Record<string, unknown>, children: Module[]) => Module;

/** Modules nested deeper than this are refused when reading an architecture (no real network comes close). */
export const MAX_MODULE_DEPTH = 64;

interface ModuleType {
  factory: ModuleFactory;
  schema: Fields | null;
  /** Whether the type is built from children (Sequential); schema-less user types always receive theirs. */
  children: boolean;
}

const types = new Map<string, ModuleType>();

/**
 * Registers a module type for moduleFromConfig. With a schema, configs are checked against it
 * (unknown options rejected, defaults filled in) before `factory` sees them.
 */
export function registerModuleType(type: string, factory: ModuleFactory): void;
export function registerModuleType<S extends Fields>(type: string, factory: (config: ConfigOf<S>, children: Module[]) => Module, schema: S): void;
export function registerModuleType(type: string, factory: ModuleFactory, schema?: Fields): void {
  types.set(type, { factory, schema: schema ?? null, children: schema === undefined });
}

/** The names of the registered module types, in registration order. */
export function moduleTypes(): string[] {
  return [...types.keys()];
}

function builtIn<S extends Fields>(type: string, schema: S, factory: (c: ConfigOf<S>, children: Module[]) => Module, children = false): void {
  types.set(type, { factory: factory as ModuleFactory, schema, children });
}

const bias = bool(true);
const size = int({ min: 1 });
const batchNorm = { numFeatures: size, eps: num({ min: 0, default: 1e-5 }), momentum: num({ default: 0.1 }), affine: bool(true), trackRunningStats: bool(true) };
const recurrent = {
  inputSize: size, hiddenSize: size, numLayers: int({ min: 1, default: 1 }), bias, batchFirst: bool(false),
  dropout: num({ min: 0, max: 1, default: 0 }), bidirectional: bool(false),
};
const nonlinearity = oneOf(['tanh', 'relu'], 'tanh');
const pool = { kernelSize: pair({ min: 1 }), stride: optional(pair({ min: 1 })), padding: pair({ min: 0, default: 0 }), ceilMode: bool(false) };

// The list: one line per type, schema beside factory.
builtIn('Sequential', { names: optional(uniqueStrings()) }, (c, children) => (c.names ? new Sequential(namedRecord(c.names, children)) : new Sequential(...children)), true);
builtIn('Linear', { inFeatures: int({ min: 0 }), outFeatures: int({ min: 0 }), bias }, (c) => new Linear(c.inFeatures, c.outFeatures, { bias: c.bias }));
builtIn('Dropout', { p: num({ min: 0, max: 1, default: 0.5 }) }, (c) => new Dropout(c.p));
builtIn('BatchNorm1d', batchNorm, (c) => new BatchNorm1d(c.numFeatures, options(c, 'numFeatures')));
builtIn('BatchNorm2d', batchNorm, (c) => new BatchNorm2d(c.numFeatures, options(c, 'numFeatures')));
builtIn('Flatten', { startDim: int({ default: 1 }), endDim: int({ default: -1 }) }, (c) => new Flatten(c.startDim, c.endDim));
builtIn('Reshape', { shape: ints({ min: -1 }) }, (c) => new Reshape(c.shape));
builtIn('Identity', {}, () => new Identity());
builtIn('Step', {}, () => new Step());
builtIn('Sigmoid', {}, () => new Sigmoid());
builtIn('Tanh', {}, () => new Tanh());
builtIn('ReLU', {}, () => new ReLU());
builtIn('Gaussian', {}, () => new Gaussian());
builtIn('LeakyReLU', { negativeSlope: num({ default: 0.01 }) }, (c) => new LeakyReLU(c.negativeSlope));
builtIn('ELU', { alpha: num({ default: 1 }) }, (c) => new ELU(c.alpha));
builtIn('Softmax', { dim: int({ default: -1 }) }, (c) => new Softmax(c.dim));
builtIn('LogSoftmax', { dim: int({ default: -1 }) }, (c) => new LogSoftmax(c.dim));
builtIn(
  'Conv2d',
  {
    inChannels: size, outChannels: size, kernelSize: pair({ min: 1 }), stride: pair({ min: 1, default: 1 }), padding: pair({ min: 0, default: 0 }),
    dilation: pair({ min: 1, default: 1 }), groups: int({ min: 1, default: 1 }), bias,
  },
  (c) => new Conv2d(c.inChannels, c.outChannels, c.kernelSize, options(c, 'inChannels', 'outChannels', 'kernelSize')),
);
builtIn(
  'ConvTranspose2d',
  {
    inChannels: size, outChannels: size, kernelSize: pair({ min: 1 }), stride: pair({ min: 1, default: 1 }), padding: pair({ min: 0, default: 0 }),
    outputPadding: pair({ min: 0, default: 0 }), dilation: pair({ min: 1, default: 1 }), groups: int({ min: 1, default: 1 }), bias,
  },
  (c) => new ConvTranspose2d(c.inChannels, c.outChannels, c.kernelSize, options(c, 'inChannels', 'outChannels', 'kernelSize')),
);
builtIn(
  'Upsample',
  { size: optional(pair({ min: 1 })), scaleFactor: optional(positivePair()), mode: oneOf(['nearest', 'bilinear'], 'nearest'), alignCorners: optional(bool()) },
  (c) => new Upsample(options(c)),
);
builtIn('MaxPool2d', { ...pool, dilation: pair({ min: 1, default: 1 }) }, (c) => new MaxPool2d(c.kernelSize, options(c, 'kernelSize')));
builtIn('AvgPool2d', { ...pool, countIncludePad: bool(true) }, (c) => new AvgPool2d(c.kernelSize, options(c, 'kernelSize')));
builtIn('AdaptiveAvgPool2d', { outputSize: pair({ min: 1 }) }, (c) => new AdaptiveAvgPool2d(c.outputSize));
builtIn('RNN', { ...recurrent, nonlinearity }, (c) => new RNN(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('LSTM', recurrent, (c) => new LSTM(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('GRU', recurrent, (c) => new GRU(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('RNNCell', { inputSize: size, hiddenSize: size, bias, nonlinearity }, (c) => new RNNCell(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('LSTMCell', { inputSize: size, hiddenSize: size, bias }, (c) => new LSTMCell(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('GRUCell', { inputSize: size, hiddenSize: size, bias }, (c) => new GRUCell(c.inputSize, c.hiddenSize, options(c, 'inputSize', 'hiddenSize')));
builtIn('Embedding', { numEmbeddings: int({ min: 0 }), embeddingDim: int({ min: 0 }), paddingIdx: nullable(int()) }, (c) => new Embedding(c.numEmbeddings, c.embeddingDim, options(c, 'numEmbeddings', 'embeddingDim')));
builtIn('DotAttention', { queryDim: size, keyDim: optional(size), general: bool(false), scaled: bool(false) }, (c) => new DotAttention(c.queryDim, c.keyDim, options(c, 'queryDim', 'keyDim')));
builtIn('AdditiveAttention', { queryDim: size, keyDim: size, attentionDim: size }, (c) => new AdditiveAttention(c.queryDim, c.keyDim, c.attentionDim));

/** The constructor's options: a plain object of the config without the positional arguments (and without absent values). */
function options<C extends object, K extends keyof C>(c: C, ...positional: K[]): Omit<C, K> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (!positional.includes(k as K) && v !== undefined) out[k] = v;
  return out as Omit<C, K>;
}

function namedRecord(names: string[], children: Module[]): Record<string, Module> {
  const out = Object.create(null) as Record<string, Module>;
  names.forEach((n, i) => (out[n] = children[i]!));
  return out;
}

const NODE_FIELDS = ['type', 'config', 'children'];
const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 80) ?? String(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

interface Checked {
  type: string;
  entry: ModuleType;
  config: Record<string, unknown>;
  children: Checked[];
  path: string;
}

/** Checks one node and its subtree (depth-limited, so a hostile file cannot overflow the stack). */
function check(node: unknown, path: string, depth: number): Checked {
  const at = path === '' ? 'the root module' : path;
  if (depth > MAX_MODULE_DEPTH) {
    throw new Error(`architecture: ${at}: modules nested deeper than ${MAX_MODULE_DEPTH} levels (corrupted or hostile file?)`);
  }
  if (!isObject(node)) throw new Error(`architecture: ${at}: expected a module {type, config, children?}, got ${show(node)}`);
  const prefix = path === '' ? '' : `${path}.`;
  for (const k of Object.keys(node)) {
    if (!NODE_FIELDS.includes(k)) throw new Error(`architecture: ${prefix}${k}: unknown field of a module${suggest(k, NODE_FIELDS)} (a module has type, config and children)`);
  }
  if (typeof node.type !== 'string') throw new Error(`architecture: ${prefix}type: expected a module type name, got ${show(node.type)}`);
  const type = node.type;
  const entry = types.get(type);
  if (entry === undefined) {
    throw new Error(`architecture: ${prefix}type: unknown module type "${type}"${suggest(type, types.keys())} (register it with registerModuleType)`);
  }
  const rawConfig = own(node, 'config') ? node.config : {};
  let config: Record<string, unknown>;
  if (entry.schema !== null) config = readConfig(entry.schema, rawConfig, `${prefix}config`, type);
  else if (isObject(rawConfig)) config = rawConfig;
  else throw new Error(`architecture: ${prefix}config (${type}): expected an object of options, got ${show(rawConfig)}`);
  const rawChildren = own(node, 'children') ? node.children : {};
  if (!isObject(rawChildren)) throw new Error(`architecture: ${prefix}children (${type}): expected an object of named modules, got ${show(rawChildren)}`);
  let names = Object.keys(rawChildren);
  if (!entry.children && names.length > 0) {
    throw new Error(`architecture: ${prefix}children (${type}): ${type} is not built from children, found ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  if (type === 'Sequential') names = sequentialOrder(config.names as string[] | undefined, names, prefix);
  const children = names.map((n) => check(rawChildren[n], `${prefix}children.${n}`, depth + 1));
  return { type, entry, config, children, path };
}

/** The order of a Sequential's children: config.names (which must name exactly the children) or 0..n-1. */
function sequentialOrder(names: string[] | undefined, keys: string[], prefix: string): string[] {
  const have = new Set(keys);
  if (names !== undefined) {
    const missing = names.filter((n) => !have.has(n));
    const extra = keys.filter((k) => !names.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `architecture: ${prefix}config.names (Sequential): must name exactly the children; ` +
          `${missing.length > 0 ? `no child ${missing.map((n) => JSON.stringify(n)).join(', ')}` : ''}` +
          `${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `unnamed child ${extra.map((n) => JSON.stringify(n)).join(', ')}` : ''}`,
      );
    }
    return names;
  }
  const order = keys.map((_, i) => String(i));
  const bad = keys.find((k) => !order.includes(k));
  if (bad !== undefined) {
    throw new Error(`architecture: ${prefix}children.${bad} (Sequential): children of an unnamed Sequential are "0" to "${keys.length - 1}"; give config.names for named children`);
  }
  return order;
}

function build(c: Checked): Module {
  const children = c.children.map(build);
  try {
    return c.entry.factory(c.config, children);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`architecture: ${c.path === '' ? 'the root module' : c.path} (${c.type}): ${msg}`, { cause: e });
  }
}

/** Rebuilds a module (with fresh weights) from its saved architecture, checked whole first. */
export function moduleFromConfig(config: ModuleConfig): Module {
  return build(check(config, '', 0));
}
