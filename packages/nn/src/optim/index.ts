export { Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { LRScheduler, ExponentialLR, StepLR, CosineAnnealingLR } from './lr-scheduler.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
export { AveragedModel, type AveragedModelOptions } from './swa-utils.js';
