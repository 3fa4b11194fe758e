/// <reference path="./webassembly.d.ts" preserve="true" />
export { loadKernels, detectFeatures, chooseIsa } from './load.js';
export type { Isa, Kernels, KernelSource, LoadOptions, EngineFeatures } from './load.js';
export { Arena, sizeClass } from './memory.js';
export type { ArenaStats } from './memory.js';
export type { KernelExports } from './exports.js';
export { binary, broadcastShapes, unary, unaryBackward, scale, axpy, fill, clamp, clampBackward, bceWithLogits, bceWithLogitsBackward, UNARY_OPS } from './ops/elementwise.js';
export type { BinaryOp, UnaryOp } from './ops/elementwise.js';
export { softmaxRows, logSoftmaxRows, softmaxRowsBackward, logSoftmaxRowsBackward, crossEntropyRows, crossEntropyRowsBackward } from './ops/softmax.js';
export { reduce, argmax, argmin, channelSums } from './ops/reduce.js';
export type { ReduceOp } from './ops/reduce.js';
export { copy, copyStrided, transpose2d } from './ops/copy.js';
export { gemm, gemmMany, packB, packedBFloats, gemmPackedB, type GemmCall, type PackedB } from './ops/gemm.js';
export { gemmReference, gemmChannelAffineReference } from './reference/gemm.js';
export { gemmVariants, type GemmVariant } from './registry.js';
export { sgdUpdate, adamUpdate, adamUpdateMulti, adagradUpdate, rmspropUpdate, adadeltaUpdate, sumSquares } from './ops/optim.js';
export type { SgdArgs, AdamArgs, AdamTensor, AdagradArgs, RmspropArgs, AdadeltaArgs } from './ops/optim.js';
export { sgdReference, adamReference, adagradReference, rmspropReference, adadeltaReference } from './reference/optim.js';
export { contiguousStrides } from './ops/check.js';
export { conv2dForward, conv2dBackward, convColsFloats, convKeepsColumns, denseApplies, convOutputSize, checkConvGeometry, type Conv2dGeometry } from './ops/conv.js';
export { winogradApplies } from './ops/winograd.js';
export {
  conv2dInference, conv2dInferenceMaxPool, convInferenceForm, convInferenceMaxPoolSize, convWeightsFloats, prepareConvWeights, type ConvWeightsForm, type MaxPoolWindow,
} from './ops/conv-inference.js';
export { channelAffine, gemmChannelAffine, packA, packedAFloats, NO_EPILOGUE, type ChannelAffine } from './ops/gemm-channel-affine.js';
export { directApplies } from './ops/conv-direct.js';
export { backwardChunkImages, backwardDirectApplies } from './ops/conv-backward-chunks.js';
export { batchNormInference, batchNormScaleShift, batchNormMoments, batchNormBackward, type BatchNormInferenceArgs, type BatchNormBackwardArgs } from './ops/batchnorm.js';
export { maxPool2d, maxPool2dBackward, poolWindowsTile, avgPool2d, avgPool2dBackward, poolOutputSize, type Pool2dGeometry } from './ops/pool.js';
export { conv2dReference, conv2dBackwardReference, maxPool2dReference, avgPool2dReference } from './reference/conv.js';
export {
  lstmCellForward, lstmCellBackward, gruCellForward, gruCellBackward, rnnCellForward, rnnCellBackward,
  type CellDims, type RnnNonlinearity,
} from './ops/recurrent.js';
export {
  lstmSequenceForward, lstmSequenceForwardX, packLstmWeights, LSTM_INPUT_FUSED_MAX, lstmSequenceBackward, biasGroups, gruSequenceForward, gruSequenceBackward, rnnSequenceForward, rnnSequenceBackward, type SequenceDims,
} from './ops/recurrent-sequence.js';
export { gatherRows, scatterAddRows } from './ops/gather.js';
export {
  lstmCellReference, lstmCellBackwardReference, gruCellReference, gruCellBackwardReference, rnnCellReference, rnnCellBackwardReference,
} from './reference/recurrent.js';
export { setThreads, threadCount, threadsStarted, closeThreads, defaultThreadCount, threadsFor, splitRange, splitCsrRows, runTasks, poolOf, MIN_PARALLEL_WORK, setMinParallelWork, type Task } from './threads/index.js';
export { sharedMemoryAvailable, unshareMemoryImport } from './load.js';
export { nodeBuiltin } from './node.js';
export { uniformPhilox, bernoulliPhilox, bernoulliSigmoidPhilox, normalPhilox, dropoutPhilox, philoxBlocks, type PhiloxKey } from './ops/random.js';
export { philox4x32, philoxWord, uniformReference, bernoulliReference, bernoulliSigmoidReference, normalReference, dropoutReference } from './reference/random.js';
export {
  csrToKernels, freeCsr, checkCsr, spmmCsr, sddmmCsr, segmentSoftmax, segmentSoftmaxBackward, segmentSum, segmentBroadcast, segmentMax,
  segmentMaxBackward, csrAddSrcDst, dropoutValues, type Csr, type SpmmOptions,
} from './ops/sparse.js';
export { softplusRowSum, aisHiddenStep, aisVisibleStep, cdBiasGrad, binaryLists, binaryListsInts, binaryHalfStep, binaryOuterGrad, type BinaryProduct } from './ops/energy.js';
export { softplusRowSumReference, aisHiddenStepReference, aisVisibleStepReference, cdBiasGradReference, binaryListsReference, binaryProductReference, binaryOuterGradReference } from './reference/energy.js';
