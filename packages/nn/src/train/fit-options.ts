/**
 * What fit, evaluate and predict take, with one list of keys per options object beside its
 * interface, and the checks that run before any training: unknown keys (with the likely intended
 * one), counts that are not positive integers (`batchSize: 2.5`, `epochs: -1` or NaN), and values
 * of the wrong kind.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../random/generator.js';
import type { ProgressWriter } from './progress.js';
import type { DataLike } from './dataset.js';
import { bool, checkOptions, describe, int, num, oneOf, optionKeys } from '../check/options.js';

export type LossName = 'crossEntropy' | 'mse' | 'binaryCrossEntropyWithLogits';
export type LossFn = (prediction: Tensor, target: Tensor | Int32Array) => Tensor;

export interface OptimizerLike {
  step(): void;
  zeroGrad(setToNone?: boolean): void;
}

export interface SchedulerLike {
  step(): void;
}

export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  samplesPerSec: number;
  seconds: number;
}

export interface BatchLogs {
  epoch: number;
  batch: number;
  step: number;
  loss: number;
  accuracy?: number;
  samplesPerSec: number;
}

export interface Callbacks {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs): void | Promise<void>;
  /** Return false (or set stop) to stop training after this epoch. */
  onEpochEnd?(logs: EpochLogs): void | boolean | Promise<void | boolean>;
  onTrainEnd?(history: History): void | Promise<void>;
}
export const CALLBACK_KEYS = optionKeys<Callbacks>({ onTrainBegin: true, onEpochBegin: true, onBatchEnd: true, onEpochEnd: true, onTrainEnd: true });

export interface EarlyStopping {
  monitor?: 'valLoss' | 'valAccuracy' | 'loss' | 'accuracy';
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}
export const EARLY_STOPPING_OPTIONS = optionKeys<EarlyStopping>({ monitor: true, patience: true, minDelta: true, restoreBestWeights: true });

export interface FitOptions {
  loss: LossName | LossFn;
  optimizer: OptimizerLike;
  epochs?: number;
  /** Samples per step; omit or pass Infinity for full-batch gradient descent, 1 for plain SGD. */
  batchSize?: number;
  shuffle?: boolean;
  /** Seed of the shuffling order. */
  seed?: number;
  validationData?: DataLike;
  callbacks?: Callbacks | Callbacks[];
  earlyStopping?: EarlyStopping;
  /** Stepped once per epoch. */
  scheduler?: SchedulerLike;
  /** Transforms each training batch before the forward pass (data augmentation); seeded by `seed`. */
  augment?: (x: Tensor, generator: Generator) => Tensor;
  /** Compute accuracy (default: true for class labels and crossEntropy). */
  accuracy?: boolean;
  /** Progress bar (default true in Node); a writer sends it elsewhere. */
  progress?: boolean | ProgressWriter;
  /** Without a progress bar, print one summary line per epoch (default false). */
  verbose?: boolean;
}
export const FIT_OPTIONS = optionKeys<FitOptions>({
  loss: true, optimizer: true, epochs: true, batchSize: true, shuffle: true, seed: true, validationData: true, callbacks: true,
  earlyStopping: true, scheduler: true, augment: true, accuracy: true, progress: true, verbose: true,
});

export interface History {
  epochs: EpochLogs[];
  stoppedEarly: boolean;
  bestEpoch?: number;
}

export interface EvaluateOptions {
  loss?: LossName | LossFn;
  batchSize?: number;
  accuracy?: boolean;
}
export const EVALUATE_OPTIONS = optionKeys<EvaluateOptions>({ loss: true, batchSize: true, accuracy: true });

export interface PredictOptions {
  batchSize?: number;
}
export const PREDICT_OPTIONS = optionKeys<PredictOptions>({ batchSize: true });

const LOSS_NAMES: readonly LossName[] = ['crossEntropy', 'mse', 'binaryCrossEntropyWithLogits'];

/** A batch size: a positive integer, or Infinity for the whole dataset. */
export function batchSizeOf(where: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (v === Infinity) return Infinity;
  return int(where, 'batchSize', v);
}

function loss(where: string, v: unknown): void {
  if (typeof v !== 'function') oneOf(where, 'loss', v, LOSS_NAMES);
}

function hasMethods(where: string, name: string, v: unknown, methods: readonly string[]): void {
  const o = v as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || methods.some((m) => typeof o[m] !== 'function')) {
    throw new TypeError(`${where}: ${name} must be an object with ${methods.map((m) => `${m}()`).join(' and ')}, got ${describe(v)}`);
  }
}

/** Every check of fit's options that needs no data; throws before anything is trained. */
export function checkFitOptions(o: FitOptions): void {
  const w = 'fit';
  if (o === null || typeof o !== 'object') throw new TypeError(`fit: options must be an object with at least loss and optimizer, got ${describe(o)}`);
  checkOptions(w, o, FIT_OPTIONS);
  loss(w, o.loss);
  hasMethods(w, 'optimizer', o.optimizer, ['step', 'zeroGrad']);
  if (o.epochs !== undefined) int(w, 'epochs', o.epochs);
  batchSizeOf(w, o.batchSize, 1);
  if (o.seed !== undefined) int(w, 'seed', o.seed, 0);
  for (const k of ['shuffle', 'accuracy', 'verbose'] as const) if (o[k] !== undefined) bool(w, k, o[k]);
  if (o.progress !== undefined && typeof o.progress !== 'boolean') hasMethods(w, 'progress', o.progress, ['write']);
  if (o.scheduler !== undefined) hasMethods(w, 'scheduler', o.scheduler, ['step']);
  if (o.augment !== undefined && typeof o.augment !== 'function') throw new TypeError(`fit: augment must be a function (x, generator) => x, got ${describe(o.augment)}`);
  const callbacks = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks];
  callbacks.forEach((cb, i) => {
    const where = `fit: callbacks${Array.isArray(o.callbacks) ? `[${i}]` : ''}`;
    checkOptions(where, cb, CALLBACK_KEYS);
    for (const [k, f] of Object.entries(cb)) if (f !== undefined && typeof f !== 'function') throw new TypeError(`${where}: ${k} must be a function, got ${describe(f)}`);
  });
  const e = o.earlyStopping;
  if (e !== undefined) {
    checkOptions('fit: earlyStopping', e, EARLY_STOPPING_OPTIONS);
    if (e.monitor !== undefined) oneOf('fit: earlyStopping', 'monitor', e.monitor, ['valLoss', 'valAccuracy', 'loss', 'accuracy'] as const);
    if (e.patience !== undefined) int('fit: earlyStopping', 'patience', e.patience, 0);
    if (e.minDelta !== undefined) num('fit: earlyStopping', 'minDelta', e.minDelta, 0);
    if (e.restoreBestWeights !== undefined) bool('fit: earlyStopping', 'restoreBestWeights', e.restoreBestWeights);
  }
}

export function checkEvaluateOptions(o: EvaluateOptions): void {
  checkOptions('evaluate', o, EVALUATE_OPTIONS);
  if (o.loss !== undefined) loss('evaluate', o.loss);
  batchSizeOf('evaluate', o.batchSize, 1);
  if (o.accuracy !== undefined) bool('evaluate', 'accuracy', o.accuracy);
}
