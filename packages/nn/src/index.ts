import './methods.js';

export { ready, useKernels, kernels, setNumThreads, getNumThreads, type ReadyOptions } from './backend.js';
export { Tensor, recordOp, type GradNode } from './tensor/tensor.js';
export { tidy, tidyAsync, noGrad, enableGrad } from './tensor/scope.js';
export { nextStep, currentStep } from './tensor/steps.js';
export { sizeOf, formatShape, type Shape } from './tensor/shape.js';
export { fill_, zero_, copy_, addScaled_, scale_ } from './tensor/inplace.js';
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from './random/generator.js';
export * from './functional/creation.js';
export * from './functional/elementwise.js';
export * from './functional/activations.js';
export * from './functional/reduce.js';
export * from './functional/shape-ops.js';
export { matmul, linear, linearRelu, denseConv2dRelu } from './functional/matmul.js';
export { softmax, logSoftmax } from './functional/softmax.js';
export { expand, sumTo, broadcastShapes } from './functional/broadcast.js';
export { backward, type BackwardOptions } from './autograd/backward.js';
export { gradCheck, assertGradCheck } from './autograd/gradcheck.js';
export type { GradCheckOptions, GradCheckResult, GradCheckMismatch } from './autograd/gradcheck.js';
export { dropout } from './functional/dropout.js';
export { pickPerRow } from './functional/pick.js';
export { Module, moduleTypeName, type ModuleConfig, type StateEntry } from './modules/module.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export { Sequential } from './modules/sequential.js';
export { Dropout } from './modules/dropout.js';
export { BatchNorm1d, type BatchNormOptions } from './modules/batchnorm.js';
export { Flatten, Reshape } from './modules/reshape.js';
export { Identity, Step, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Gaussian, Softmax, LogSoftmax } from './modules/activations.js';
export { registerModuleType, moduleFromConfig, moduleTypes, type ModuleFactory } from './modules/registry.js';
export * as configFields from './modules/config-schema.js';
export * as init from './init/init.js';
export * from './losses/losses.js';
export type { Reduction } from './losses/reduction.js';
export { fit, evaluate, predict, NonFiniteLossError } from './train/fit.js';
export type { FitOptions, History, EpochLogs, BatchLogs, Callbacks, EarlyStopping, LossName, LossFn, OptimizerLike, SchedulerLike, EvaluateOptions, PredictOptions } from './train/fit.js';
export { ProgressBar, type ProgressWriter } from './train/progress.js';
export { toDataset, type Dataset, type DataLike, type Labels } from './train/dataset.js';
/** Option and argument checks (unknown keys with suggestions, integers, ranges, choices, 0/1 masks) for code built on nn. */
export * as check from './check/options.js';
export { DataLoader, type DataLoaderOptions, type Batch } from './train/data-loader.js';
export * from './optim/index.js';
export { encodeSafetensors, decodeSafetensors, type SafeTensor, type Dtype, type Decoded, type TensorToEncode } from './io/safetensors.js';
export { writeFileAtomic, removeStaleTempFiles } from './io/atomic-file.js';
export {
  weightsToBytes, loadWeightsFromBytes, architectureToJson, moduleFromJson, saveModel, loadModel, loadWeights,
  modelToBytes, modelToBlob, modelToBlobs, modelFromBuffers, modelPath, modelPaths, ARCHITECTURE_KEY,
  type LoadWeightsOptions, type LoadWeightsResult,
} from './io/model-file.js';
export { conv2d, maxPool2d, reluMaxPool2d, avgPool2d, globalAvgPool2d, adaptiveAvgPool2d, type Conv2dOptions, type Pool2dOptions, type Pair } from './functional/conv.js';
export { batchNorm, type BatchNormArgs } from './functional/normalization.js';
export { convTranspose2d, convTransposeOutputSize, type ConvTranspose2dOptions } from './functional/conv-transpose.js';
export { ConvTranspose2d, type ConvTranspose2dLayerOptions } from './modules/conv-transpose.js';
export { interpolate, upsample, type InterpolateMode, type InterpolateOptions } from './functional/interpolate.js';
export { Upsample, type UpsampleOptions } from './modules/upsample.js';
export { klDivGaussian } from './losses/gaussian.js';
export { reparameterize, type ReparameterizeOptions } from './functional/reparameterize.js';
export { Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm2d, type Conv2dLayerOptions, type PoolLayerOptions } from './modules/conv.js';
export { fusedConvBn, type FusedConvBnOptions } from './modules/conv-bn.js';
export { randomTranslate } from './functional/augment.js';
export {
  recurrentSequence, splitRecurrentOutput, lengthsToMask, gateCount, type RecurrentMode, type RecurrentWeights, type RecurrentSequenceOptions,
} from './functional/recurrent.js';
export { embedding, type IndexLike } from './functional/embedding.js';
export {
  RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RecurrentOptions, type RnnOptions, type RecurrentRunOptions, type RecurrentResult, type CellOptions,
} from './modules/recurrent.js';
export { Embedding, type EmbeddingOptions } from './modules/embedding.js';
export { sequenceCrossEntropy, sequenceMseLoss, type SequenceLossOptions } from './losses/sequence.js';
export { dotProductAttention, additiveAttention, attendWithScores, attentionMaskBias, type AttentionResult } from './functional/attention.js';
export { Attention, DotAttention, AdditiveAttention, type AttentionMemory, type MemoryOptions, type DotAttentionOptions } from './modules/attention.js';
export { bernoulliSigmoid, bernoulli, normalAround, accumulateGrad, type SampleOptions, type SigmoidSampleOptions } from './energy/sampling.js';
export { softplus, softplusRowSum } from './energy/softplus.js';
export { RBM, type RBMOptions, type CDOptions, type GibbsResult, type VisibleUnits } from './energy/rbm.js';
export {
  exactLogPartition, annealedImportanceSampling, aisSchedule, logSumExp, averageLogLikelihood, pseudoLogLikelihood, binaryStates, baseRateBias, logPartitionLowerBound,
  type AISOptions, type AISResult,
} from './energy/rbm-partition.js';
export { BoltzmannMachine, geometricSchedule, type BoltzmannMachineOptions, type GibbsOptions, type AnnealOptions, type LearningOptions } from './energy/boltzmann-machine.js';
export * from './graph/index.js';
export { exportOnnx, decodeOnnxModel, type ExportOnnxOptions } from './onnx/index.js';
