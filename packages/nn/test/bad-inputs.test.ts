/**
 * Bad inputs to every layer, loss, functional op family, optimizer, scheduler and fit: each is
 * rejected when it is given (a layer's constructor, not its first forward) with an error that
 * names the layer or op and shows the bad value. One row per case: what is called, and a pattern
 * on the message holding the name and the value.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const z = (...shape: number[]): Tensor => nn.zeros(shape);
const params = (): Tensor[] => [nn.zeros([3], { requiresGrad: true })];
const any = (v: unknown): never => v as never;
const img = () => z(1, 1, 6, 6);

type Case = [string, () => unknown, RegExp];

const layerConstructors: Case[] = [
  ['Linear(0, 4)', () => new nn.Linear(0, 4), /^Linear\(0, 4\): .*positive integers/],
  ['Linear(2.5, 4)', () => new nn.Linear(2.5, 4), /^Linear\(2\.5, 4\)/],
  ['Linear { bais }', () => new nn.Linear(3, 4, any({ bais: false })), /^Linear: unknown option "bais"; did you mean "bias"\?/],
  ['Linear { bias: "no" }', () => new nn.Linear(3, 4, any({ bias: 'no' })), /^Linear: bias must be true or false, got string "no"/],
  ['Linear { generator: 42 }', () => new nn.Linear(3, 4, any({ generator: 42 })), /^Linear: generator must be a Generator.*got 42/],
  ['Linear(3, 4, 7)', () => new nn.Linear(3, 4, any(7)), /^Linear: options must be an object, got 7/],
  ['Conv2d(0, 4, 3)', () => new nn.Conv2d(0, 4, 3), /^Conv2d: inChannels must be a positive integer, got 0/],
  ['Conv2d(1, -4, 3)', () => new nn.Conv2d(1, -4, 3), /^Conv2d: outChannels must be a positive integer, got -4/],
  ['Conv2d kernel 0', () => new nn.Conv2d(1, 4, 0), /^Conv2d: kernelSize must be a positive integer or a pair of them, got 0/],
  ['Conv2d kernel [3]', () => new nn.Conv2d(1, 4, any([3])), /^Conv2d: kernelSize must be .*, got \[3\]/],
  ['Conv2d stride 0', () => new nn.Conv2d(1, 4, 3, { stride: 0 }), /^Conv2d: stride must be a positive integer or a pair of them, got 0/],
  ['Conv2d stride [1, 2.5]', () => new nn.Conv2d(1, 4, 3, { stride: [1, 2.5] }), /^Conv2d: stride .*, got \[1,2\.5\]/],
  ['Conv2d padding -1', () => new nn.Conv2d(1, 4, 3, { padding: -1 }), /^Conv2d: padding must be a non-negative integer or a pair of them, got -1/],
  ['Conv2d dilation 0', () => new nn.Conv2d(1, 4, 3, { dilation: 0 }), /^Conv2d: dilation must be a positive integer .*, got 0/],
  ['Conv2d groups 0', () => new nn.Conv2d(2, 4, 3, { groups: 0 }), /^Conv2d: groups must be a positive integer, got 0/],
  ['Conv2d groups not dividing', () => new nn.Conv2d(3, 4, 3, { groups: 2 }), /^Conv2d\(3, 4\): channels must be divisible by groups 2/],
  ['Conv2d { strides }', () => new nn.Conv2d(1, 4, 3, any({ strides: 2 })), /^Conv2d: unknown option "strides"; did you mean "stride"\?/],
  ['Conv2d { pad }', () => new nn.Conv2d(1, 4, 3, any({ pad: 1 })), /^Conv2d: unknown option "pad"; did you mean "padding"\?/],
  ['Conv2d { padding: "same" }', () => new nn.Conv2d(1, 4, 3, any({ padding: 'same' })), /^Conv2d: padding must be .*, got string "same"/],
  ['ConvTranspose2d(0, 4, 3)', () => new nn.ConvTranspose2d(0, 4, 3), /^ConvTranspose2d: inChannels must be a positive integer, got 0/],
  ['ConvTranspose2d kernel [3]', () => new nn.ConvTranspose2d(1, 4, any([3])), /^ConvTranspose2d: kernelSize must be .*, got \[3\]/],
  ['ConvTranspose2d outputPadding = stride', () => new nn.ConvTranspose2d(1, 4, 3, { stride: 2, outputPadding: 2 }),
    /^ConvTranspose2d: outputPadding 2x2 must be smaller than either stride 2x2 or dilation 1x1/],
  ['ConvTranspose2d outputPadding -1', () => new nn.ConvTranspose2d(1, 4, 3, { outputPadding: -1 }), /^ConvTranspose2d: outputPadding must be a non-negative integer .*, got -1/],
  ['ConvTranspose2d { output_padding }', () => new nn.ConvTranspose2d(1, 4, 3, any({ output_padding: 1 })),
    /^ConvTranspose2d: unknown option "output_padding"; did you mean "outputPadding"\?/],
  ['ConvTranspose2d { outputSize }', () => new nn.ConvTranspose2d(1, 4, 3, any({ outputSize: [5, 5] })), /^ConvTranspose2d: unknown option "outputSize"/],
  ['ConvTranspose2d groups not dividing', () => new nn.ConvTranspose2d(4, 3, 3, { groups: 2 }), /^ConvTranspose2d\(4, 3\): channels must be divisible by groups 2/],
  ['MaxPool2d(0)', () => new nn.MaxPool2d(0), /^MaxPool2d: kernelSize must be a positive integer .*, got 0/],
  ['MaxPool2d stride 0', () => new nn.MaxPool2d(2, { stride: 0 }), /^MaxPool2d: stride must be .*, got 0/],
  ['MaxPool2d padding over half', () => new nn.MaxPool2d(2, { padding: 2 }), /^MaxPool2d: padding 2 must be at most half the 2x2 window/],
  ['MaxPool2d { ceil_mode }', () => new nn.MaxPool2d(2, any({ ceil_mode: true })), /^MaxPool2d: unknown option "ceil_mode"; did you mean "ceilMode"\?/],
  ['MaxPool2d { ceilMode: 1 }', () => new nn.MaxPool2d(2, any({ ceilMode: 1 })), /^MaxPool2d: ceilMode must be true or false, got 1/],
  ['AvgPool2d { count_include_pad }', () => new nn.AvgPool2d(2, any({ count_include_pad: false })), /^AvgPool2d: unknown option "count_include_pad"; did you mean "countIncludePad"\?/],
  ['AvgPool2d { dilation }', () => new nn.AvgPool2d(2, any({ dilation: 2 })), /^AvgPool2d: unknown option "dilation"/],
  ['AvgPool2d(2.5)', () => new nn.AvgPool2d(2.5), /^AvgPool2d: kernelSize must be .*, got 2\.5/],
  ['AdaptiveAvgPool2d(0)', () => new nn.AdaptiveAvgPool2d(0), /^AdaptiveAvgPool2d: outputSize must be .*, got 0/],
  ['BatchNorm1d(0)', () => new nn.BatchNorm1d(0), /^BatchNorm1d: numFeatures must be a positive integer, got 0/],
  ['BatchNorm1d momentum 2', () => new nn.BatchNorm1d(4, { momentum: 2 }), /^BatchNorm1d: momentum must be a number in \[0, 1\], got 2/],
  ['BatchNorm2d eps -1', () => new nn.BatchNorm2d(4, { eps: -1 }), /^BatchNorm2d: eps must be a number >= 0, got -1/],
  ['BatchNorm2d { track_running_stats }', () => new nn.BatchNorm2d(3, any({ track_running_stats: false })), /^BatchNorm2d: unknown option "track_running_stats"; did you mean "trackRunningStats"\?/],
  ['Dropout(1.5)', () => new nn.Dropout(1.5), /^Dropout: p must be a number in \[0, 1\], got 1\.5/],
  ['Dropout(NaN)', () => new nn.Dropout(NaN), /^Dropout: p must be .*, got NaN/],
  ['Dropout(-0.1)', () => new nn.Dropout(-0.1), /^Dropout: p must be .*, got -0\.1/],
  ['LeakyReLU("a")', () => new nn.LeakyReLU(any('a')), /^LeakyReLU: negativeSlope must be a finite number, got string "a"/],
  ['ELU(NaN)', () => new nn.ELU(NaN), /^ELU: alpha must be a finite number, got NaN/],
  ['Softmax(1.5)', () => new nn.Softmax(1.5), /^Softmax: dim must be an integer, got 1\.5/],
  ['LogSoftmax("x")', () => new nn.LogSoftmax(any('x')), /^LogSoftmax: dim must be an integer, got string "x"/],
  ['Flatten(0.5)', () => new nn.Flatten(0.5), /^Flatten: startDim must be an integer, got 0\.5/],
  ['Reshape([2, -1, -1])', () => new nn.Reshape([2, -1, -1]), /^Reshape: only one size can be -1, got \[2, -1, -1\]/],
  ['Reshape([2, 1.5])', () => new nn.Reshape([2, 1.5]), /^Reshape: shape\[1\] must be an integer >= -1, got 1\.5/],
  ['Reshape("ab")', () => new nn.Reshape(any('ab')), /^Reshape: shape must be an array of sizes, got string "ab"/],
  ['Sequential(Linear, "relu")', () => new nn.Sequential(new nn.Linear(2, 2), any('relu')), /^Sequential: layer 1 must be a Module, got string "relu"/],
  ['LSTM(3, 0)', () => new nn.LSTM(3, 0), /^LSTM: hiddenSize must be a positive integer, got 0/],
  ['GRU(0, 4)', () => new nn.GRU(0, 4), /^GRU: inputSize must be a positive integer, got 0/],
  ['GRU numLayers 0', () => new nn.GRU(3, 4, { numLayers: 0 }), /^GRU: numLayers must be a positive integer, got 0/],
  ['RNN dropout 1', () => new nn.RNN(3, 4, { dropout: 1 }), /^RNN: dropout must be a number in \[0, 1\), got 1/],
  ['LSTM { batch_first }', () => new nn.LSTM(3, 4, any({ batch_first: true })), /^LSTM: unknown option "batch_first"; did you mean "batchFirst"\?/],
  ['LSTM { bidirectional: 1 }', () => new nn.LSTM(3, 4, any({ bidirectional: 1 })), /^LSTM: bidirectional must be true or false, got 1/],
  ['LSTM { nonlinearity }', () => new nn.LSTM(3, 4, any({ nonlinearity: 'relu' })), /^LSTM: unknown option "nonlinearity"/],
  ['RNN nonlinearity', () => new nn.RNN(3, 4, any({ nonlinearity: 'sigmoid' })), /^RNN: nonlinearity must be 'tanh' or 'relu', got "sigmoid"/],
  ['LSTMCell(3, 0)', () => new nn.LSTMCell(3, 0), /^LSTMCell: hiddenSize must be a positive integer, got 0/],
  ['GRUCell { bais }', () => new nn.GRUCell(3, 4, any({ bais: true })), /^GRUCell: unknown option "bais"; did you mean "bias"\?/],
  ['RNNCell(2.5, 4)', () => new nn.RNNCell(2.5, 4), /^RNNCell: inputSize must be a positive integer, got 2\.5/],
  ['Embedding(0, 3)', () => new nn.Embedding(0, 3), /^Embedding: numEmbeddings must be a positive integer, got 0/],
  ['Embedding paddingIdx 5', () => new nn.Embedding(5, 3, { paddingIdx: 5 }), /^Embedding: paddingIdx must be an integer in \[-5, 5\), got 5/],
  ['Embedding { padding_idx }', () => new nn.Embedding(5, 3, any({ padding_idx: 0 })), /^Embedding: unknown option "padding_idx"; did you mean "paddingIdx"\?/],
  ['DotAttention { scale }', () => new nn.DotAttention(4, 4, any({ scale: true })), /^DotAttention: unknown option "scale"; did you mean "scaled"\?/],
  ['DotAttention(0)', () => new nn.DotAttention(0), /^DotAttention: queryDim must be a positive integer, got 0/],
  ['AdditiveAttention attentionDim 0', () => new nn.AdditiveAttention(4, 4, 0), /^AdditiveAttention: attentionDim must be a positive integer, got 0/],
  ['Upsample {}', () => new nn.Upsample({}), /^Upsample: give exactly one of size and scaleFactor, got neither/],
  ['Upsample size and scaleFactor', () => new nn.Upsample({ size: 4, scaleFactor: 2 }), /^Upsample: give exactly one of size and scaleFactor, got size 4 and scaleFactor 2/],
  ['Upsample scaleFactor 0', () => new nn.Upsample({ scaleFactor: 0 }), /^Upsample: scaleFactor must be a positive finite number or a pair \[h, w\] of them, got 0/],
  ['Upsample size [4, 2.5]', () => new nn.Upsample({ size: any([4, 2.5]) }), /^Upsample: size must be a positive integer or a pair \[h, w\] of them, got \[4,2\.5\]/],
  ['Upsample mode "bicubic"', () => new nn.Upsample({ scaleFactor: 2, mode: any('bicubic') }), /^Upsample: mode must be 'nearest' or 'bilinear', got string "bicubic"/],
  ['Upsample nearest alignCorners', () => new nn.Upsample({ scaleFactor: 2, alignCorners: true }),
    /^Upsample: alignCorners can only be set with mode 'bilinear', got mode 'nearest'/],
  ['Upsample { scale_factor }', () => new nn.Upsample(any({ scale_factor: 2 })), /^Upsample: unknown option "scale_factor"; did you mean "scaleFactor"\?/],
];

const layerForwards: Case[] = [
  ['Linear.forward("x")', () => new nn.Linear(3, 4).forward(any('x')), /^Linear\(3, 4\): input must be a Tensor, got string "x"/],
  ['Linear.forward [2, 5]', () => new nn.Linear(3, 4).forward(z(2, 5)), /^Linear\(3, 4\): input \[2, 5\] does not match/],
  ['Conv2d.forward(undefined)', () => new nn.Conv2d(1, 4, 3).forward(any(undefined)), /^Conv2d\(1, 4\): input must be a Tensor, got undefined/],
  ['Conv2d.forward 2 channels', () => new nn.Conv2d(1, 4, 3).forward(z(1, 2, 5, 5)), /^Conv2d\(1, 4\): expected input \[N, 1, H, W\], got \[1, 2, 5, 5\]/],
  ['Conv2d.forward too small', () => new nn.Conv2d(1, 4, 3).forward(z(1, 1, 2, 2)), /conv2d: a 3x3 kernel .* does not fit a 2x2 input/],
  ['Upsample.forward(7)', () => new nn.Upsample({ scaleFactor: 2 }).forward(any(7)), /^Upsample\(scaleFactor 2x2, nearest\): input must be a Tensor, got 7/],
  ['Upsample.forward [2, 3]', () => new nn.Upsample({ size: 4, mode: 'bilinear' }).forward(z(2, 3)), /^interpolate: expected input \[N, C, H, W\], got \[2, 3\]/],
  ['Upsample.forward scale 0.1', () => new nn.Upsample({ scaleFactor: 0.1 }).forward(z(1, 1, 4, 4)),
    /^interpolate: scaleFactor \[0\.1,0\.1\] gives an empty 0x0 output for a 4x4 input/],
  ['ConvTranspose2d.forward("x")', () => new nn.ConvTranspose2d(2, 4, 3).forward(any('x')), /^ConvTranspose2d\(2, 4\): input must be a Tensor, got string "x"/],
  ['ConvTranspose2d.forward 3 channels', () => new nn.ConvTranspose2d(2, 4, 3).forward(z(1, 3, 5, 5)),
    /^ConvTranspose2d\(2, 4\): expected input \[N, 2, H, W\], got \[1, 3, 5, 5\] \(weight \[2, 4, 3, 3\]\)/],
  ['ConvTranspose2d.forward outputSize too large', () => new nn.ConvTranspose2d(2, 4, 3, { stride: 2 }).forward(z(1, 2, 3, 3), [9, 8]),
    /^convTranspose2d: requested an output size of 9x8, but valid sizes range from 7x7 to 8x8/],
  ['ConvTranspose2d.forward outputSize "big"', () => new nn.ConvTranspose2d(2, 4, 3).forward(z(1, 2, 3, 3), any('big')),
    /^convTranspose2d: outputSize must be \[H, W\] or \[N, C, H, W\] of non-negative integers, got "big"/],
  ['MaxPool2d.forward too small', () => new nn.MaxPool2d(3).forward(z(1, 1, 2, 2)), /maxPool2d: a 3x3 window does not fit a 2x2 input/],
  ['ReLU.forward(null)', () => new nn.ReLU().forward(any(null)), /^relu: argument "x" must be a Tensor, got null/],
  ['BatchNorm1d.forward("x")', () => new nn.BatchNorm1d(3).forward(any('x')), /^BatchNorm1d\(3\): input must be a Tensor, got string "x"/],
  ['BatchNorm1d.forward [2, 4]', () => new nn.BatchNorm1d(3).forward(z(2, 4)), /^BatchNorm1d\(3\): expected input \[N, 3\] or \[N, 3, L\], got \[2, 4\]/],
  ['LSTM.run mask 0.5', () => new nn.LSTM(2, 3).run(z(2, 2, 2), { mask: nn.tensor([[1, 1], [1, 0.5]]) }), /^LSTM: mask\[3\] = 0\.5; a mask holds only 0 and 1/],
  ['LSTM.run lengths 2.5', () => new nn.LSTM(2, 3).run(z(3, 2, 2), { lengths: [3, 2.5] }), /^LSTM: sequence lengths must be integers in \[1, 3\].*got 2\.5 for sequence 1/],
  ['LSTM.run { h_0 }', () => new nn.LSTM(2, 3).run(z(2, 2, 2), any({ h_0: z(1, 2, 3) })), /^LSTM\.run: unknown option "h_0"; did you mean "h0"\?/],
  ['GRU.run h0 "h"', () => new nn.GRU(2, 3).run(z(2, 2, 2), any({ h0: 'h' })), /^GRU: h0 must be a Tensor, got string "h"/],
  ['LSTMCell.step(x, "h")', () => new nn.LSTMCell(2, 3).step(z(1, 2), any('h')), /^LSTMCell: h must be a Tensor, got string "h"/],
  ['Embedding.forward([2.5])', () => new nn.Embedding(5, 3).forward([2.5]), /^Embedding\(5, 3\): index 2\.5 at position 0 is not an integer row index/],
  ['Embedding.forward(tensor([2.5]))', () => new nn.Embedding(5, 3).forward(nn.tensor([2.5])), /^Embedding\(5, 3\): index 2\.5 at position 0 is not an integer/],
  ['Embedding.forward([0, 5])', () => new nn.Embedding(5, 3).forward([0, 5]), /^Embedding\(5, 3\): index 5 at position 1 is outside the table of 5 rows/],
  ['Embedding.forward([-1])', () => new nn.Embedding(5, 3).forward([-1]), /^Embedding\(5, 3\): index -1 at position 0 is outside/],
  ['Embedding.forward(["a"])', () => new nn.Embedding(5, 3).forward(any(['a'])), /^Embedding\(5, 3\): index string "a" at position 0 is not an integer/],
  ['Embedding.forward("ab")', () => new nn.Embedding(5, 3).forward(any('ab')), /^Embedding\(5, 3\): indexs? .*got string "ab"/],
  ['DotAttention memory mask 2', () => new nn.DotAttention(3).memory(z(1, 2, 3), { mask: nn.tensor([[1, 2]]) }), /^attention: mask\[1\] = 2; a mask holds only 0 and 1/],
  ['DotAttention memory { length }', () => new nn.DotAttention(3).memory(z(1, 2, 3), any({ length: [2] })), /^attention memory: unknown option "length"; did you mean "lengths"\?/],
  ['AdditiveAttention memory lengths 0', () => new nn.AdditiveAttention(3, 3, 4).memory(z(1, 2, 3), { lengths: [0] }), /^attention: sequence lengths must be integers in \[1, 2\].*got 0/],
];

const logits = () => z(2, 3);
const losses: Case[] = [
  ['klDivGaussian shapes', () => nn.klDivGaussian(z(2, 3), z(3, 2)), /^klDivGaussian: mu \[2, 3\] and logvar \[3, 2\] must have the same shape/],
  ['klDivGaussian [3]', () => nn.klDivGaussian(z(3), z(3)), /^klDivGaussian: expected mu and logvar \[N, latent\.\.\.\], got \[3\]/],
  ['klDivGaussian reduction "batch"', () => nn.klDivGaussian(z(2, 3), z(2, 3), any('batch')), /^klDivGaussian: reduction must be 'mean', 'sum' or 'none', got string "batch"/],
  ['klDivGaussian(mu, null)', () => nn.klDivGaussian(z(2, 3), any(null)), /^klDivGaussian: argument "logvar" must be a Tensor, got null/],
  ['crossEntropy label 2.5', () => nn.crossEntropy(logits(), [0, 2.5]), /^crossEntropy: label 2\.5 at position 1 is not an integer class index in \[0, 3\)/],
  ['crossEntropy label 3', () => nn.crossEntropy(logits(), [0, 3]), /^crossEntropy: label 3 at position 1 is outside \[0, 3\) for input \[2, 3\]/],
  ['crossEntropy label -1', () => nn.crossEntropy(logits(), [-1, 0]), /^crossEntropy: label -1 at position 0 is outside \[0, 3\)/],
  ['crossEntropy label NaN', () => nn.crossEntropy(logits(), [0, NaN]), /^crossEntropy: label NaN at position 1/],
  ['crossEntropy label undefined', () => nn.crossEntropy(logits(), any([0, undefined])), /^crossEntropy: label undefined at position 1/],
  ['crossEntropy label null', () => nn.crossEntropy(logits(), any([null, 0])), /^crossEntropy: label null at position 0/],
  ['crossEntropy label "a"', () => nn.crossEntropy(logits(), any([0, 'a'])), /^crossEntropy: label string "a" at position 1/],
  ['crossEntropy label 2^32 + 1', () => nn.crossEntropy(logits(), [0, 2 ** 32 + 1]), /^crossEntropy: label 4294967297 at position 1 is outside \[0, 3\)/],
  ['crossEntropy Float32Array 1.5', () => nn.crossEntropy(logits(), new Float32Array([0, 1.5])), /^crossEntropy: label 1\.5 at position 1/],
  ['crossEntropy Int32Array 7', () => nn.crossEntropy(logits(), new Int32Array([7, 0])), /^crossEntropy: label 7 at position 0 is outside/],
  ['crossEntropy Uint8Array 9', () => nn.crossEntropy(logits(), new Uint8Array([0, 9])), /^crossEntropy: label 9 at position 1 is outside/],
  ['crossEntropy tensor 1.5', () => nn.crossEntropy(logits(), nn.tensor([0, 1.5])), /^crossEntropy: label 1\.5 at position 1/],
  ['crossEntropy labels "ab"', () => nn.crossEntropy(logits(), any('ab')), /^crossEntropy: labels must be integers .*got string "ab"/],
  ['crossEntropy tensor [2, 1]', () => nn.crossEntropy(logits(), z(2, 1)), /^crossEntropy: input \[2, 3\] and target \[2, 1\] must have the same shape/],
  ['crossEntropy { label_smoothing }', () => nn.crossEntropy(logits(), [0, 1], any({ label_smoothing: 0.1 })), /^crossEntropy: unknown option "label_smoothing"; did you mean "labelSmoothing"\?/],
  ['crossEntropy labelSmoothing 2', () => nn.crossEntropy(logits(), [0, 1], { labelSmoothing: 2 }), /^crossEntropy: labelSmoothing must be a number in \[0, 1\], got 2/],
  ['crossEntropy reduction "avg"', () => nn.crossEntropy(logits(), [0, 1], any({ reduction: 'avg' })), /^crossEntropy: reduction must be 'mean', 'sum' or 'none', got string "avg"/],
  ['crossEntropy ignoreIndex 1.5', () => nn.crossEntropy(logits(), [0, 1], { ignoreIndex: 1.5 }), /^crossEntropy: ignoreIndex must be an integer .*got 1\.5/],
  ['crossEntropy(logits "x")', () => nn.crossEntropy(any('x'), [0]), /^crossEntropy: argument "logits" must be a Tensor, got string "x"/],
  ['nllLoss label 5', () => nn.nllLoss(logits(), [0, 5]), /^nllLoss: label 5 at position 1 is outside \[0, 3\)/],
  ['nllLoss { ignore_index }', () => nn.nllLoss(logits(), [0, 1], any({ ignore_index: 0 })), /^nllLoss: unknown option "ignore_index"; did you mean "ignoreIndex"\?/],
  ['nllLoss reduction "avg"', () => nn.nllLoss(logits(), [0, 1], any('avg')), /^nllLoss: reduction must be .*got string "avg"/],
  ['sequenceCrossEntropy target 3.5', () => nn.sequenceCrossEntropy(z(2, 2, 4), [0, 1, 2, 3.5]), /^sequenceCrossEntropy: target 3\.5 at position 3 is not an integer class index in \[0, 4\)/],
  ['sequenceCrossEntropy target 4', () => nn.sequenceCrossEntropy(z(2, 2, 4), [0, 1, 4, 3]), /^sequenceCrossEntropy: target 4 at position 2 is outside \[0, 4\)/],
  ['sequenceCrossEntropy mask 0.5', () => nn.sequenceCrossEntropy(z(2, 2, 4), [0, 1, 2, 3], { mask: [1, 0.5, 1, 1] }), /^sequenceCrossEntropy: mask\[1\] = 0\.5; a mask holds only 0 and 1/],
  ['sequenceCrossEntropy lengths 3', () => nn.sequenceCrossEntropy(z(2, 2, 4), [0, 1, 2, 3], { lengths: [2, 3] }), /^sequenceCrossEntropy: lengths\[1\] = 3 is not an integer in \[0, 2\]/],
  ['sequenceCrossEntropy { length }', () => nn.sequenceCrossEntropy(z(2, 2, 4), [0, 1, 2, 3], any({ length: [2, 2] })), /^sequenceCrossEntropy: unknown option "length"; did you mean "lengths"\?/],
  ['sequenceMseLoss { ignoreIndex }', () => nn.sequenceMseLoss(z(2, 2, 1), z(2, 2, 1), any({ ignoreIndex: 0 })), /^sequenceMseLoss: unknown option "ignoreIndex"/],
  ['mseLoss(x, "y")', () => nn.mseLoss(z(2), any('y')), /^mseLoss: argument "target" must be a Tensor, got string "y"/],
  ['mseLoss reduction "avg"', () => nn.mseLoss(z(2), z(2), any('avg')), /^mseLoss: reduction must be .*got string "avg"/],
  ['l1Loss(undefined, y)', () => nn.l1Loss(any(undefined), z(2)), /^l1Loss: argument "input" must be a Tensor, got undefined/],
  ['binaryCrossEntropy reduction 0', () => nn.binaryCrossEntropy(z(2), z(2), any(0)), /^binaryCrossEntropy: reduction must be .*got 0/],
  ['binaryCrossEntropyWithLogits(x, 5)', () => nn.binaryCrossEntropyWithLogits(z(2), any(5)), /^binaryCrossEntropyWithLogits: argument "target" must be a Tensor, got 5/],
  ['l1Penalty([])', () => nn.l1Penalty([]), /^l1Penalty: argument "params" must be a non-empty array of Tensors, got \[\]/],
  ['l2Penalty([w, "a"])', () => nn.l2Penalty(any([z(2), 'a'])), /^l2Penalty: argument "params" must be an array of Tensors, but params\[1\] is string "a"/],
];

const ops: Case[] = [
  ['add(t, "a")', () => nn.add(z(2), any('a')), /^add: argument "b" must be a Tensor or a number, got string "a"/],
  ['add(undefined, t)', () => nn.add(any(undefined), z(2)), /^add: argument "a" must be a Tensor or a number, got undefined/],
  ['add(1, 2)', () => nn.add(1, 2), /^add: at least one operand must be a Tensor, got two numbers/],
  ['sub(null, t)', () => nn.sub(any(null), z(2)), /^sub: argument "a" must be a Tensor or a number, got null/],
  ['mul(t, {})', () => nn.mul(z(2), any({})), /^mul: argument "b" must be a Tensor or a number, got \{\}/],
  ['div(t, [1])', () => nn.div(z(2), any([1])), /^div: argument "b" must be a Tensor or a number, got \[1\]/],
  ['t.add("a")', () => z(2).add(any('a')), /^add: argument "b" must be a Tensor or a number, got string "a"/],
  ['clamp(t, "a")', () => nn.clamp(z(2), any('a')), /^clamp: argument "lo" must be a number, got string "a"/],
  ['matmul(null, t)', () => nn.matmul(any(null), z(2, 2)), /^matmul: argument "a" must be a Tensor, got null/],
  ['matmul(t, "b")', () => nn.matmul(z(2, 2), any('b')), /^matmul: argument "b" must be a Tensor, got string "b"/],
  ['linear(x, "w")', () => nn.linear(z(2, 2), any('w')), /^linear: argument "weight" must be a Tensor, got string "w"/],
  ['linear(x, w, 3)', () => nn.linear(z(2, 2), z(3, 2), any(3)), /^linear: argument "bias" must be a Tensor or null, got 3/],
  ['conv2d(x, "w")', () => nn.conv2d(img(), any('w')), /^conv2d: argument "weight" must be a Tensor, got string "w"/],
  ['conv2d stride 0', () => nn.conv2d(img(), z(1, 1, 3, 3), null, { stride: 0 }), /^conv2d: stride must be a positive integer .*, got 0/],
  ['conv2d { strides }', () => nn.conv2d(img(), z(1, 1, 3, 3), null, any({ strides: 2 })), /^conv2d: unknown option "strides"; did you mean "stride"\?/],
  ['conv2d groups 1.5', () => nn.conv2d(img(), z(1, 1, 3, 3), null, { groups: 1.5 }), /^conv2d: groups must be a positive integer, got 1\.5/],
  ['interpolate(x, "2")', () => nn.interpolate(img(), any('2')), /^interpolate: options must be an object, got string "2"/],
  ['interpolate { scale }', () => nn.interpolate(img(), any({ scale: 2 })), /^interpolate: unknown option "scale"; did you mean "scaleFactor"\?/],
  ['reparameterize shapes', () => nn.reparameterize(z(2, 3), z(2, 4)), /^reparameterize: mu \[2, 3\] and logvar \[2, 4\] must have the same shape/],
  ['reparameterize { seed }', () => nn.reparameterize(z(2, 3), z(2, 3), any({ seed: 1 })), /^reparameterize: unknown option "seed"/],
  ['reparameterize generator 1', () => nn.reparameterize(z(2, 3), z(2, 3), any({ generator: 1 })), /^reparameterize: generator must be a Generator.*got 1/],
  ['convTranspose2d(x, "w")', () => nn.convTranspose2d(img(), any('w')), /^convTranspose2d: argument "weight" must be a Tensor, got string "w"/],
  ['convTranspose2d weight channels', () => nn.convTranspose2d(img(), z(2, 1, 3, 3)),
    /^convTranspose2d: input \[1, 1, 6, 6\] has 1 channels, but weight \[2, 1, 3, 3\] expects 2/],
  ['convTranspose2d input [6, 6]', () => nn.convTranspose2d(z(6, 6), z(1, 1, 3, 3)), /^convTranspose2d: expected input \[N, C_in, H, W\], got \[6, 6\]/],
  ['convTranspose2d bias [2]', () => nn.convTranspose2d(img(), z(1, 3, 3, 3), z(2)),
    /^convTranspose2d: bias \[2\] does not match weight \[1, 3, 3, 3\] with groups 1: expected \[3\]/],
  ['convTranspose2d outputPadding 1 stride 1', () => nn.convTranspose2d(img(), z(1, 1, 3, 3), null, { outputPadding: 1 }),
    /^convTranspose2d: outputPadding 1x1 must be smaller than either stride 1x1 or dilation 1x1/],
  ['convTranspose2d padding too large', () => nn.convTranspose2d(z(1, 1, 1, 1), z(1, 1, 3, 3), null, { padding: 2 }),
    /^convTranspose2d: the output would be -1x-1: padding 2x2 is too large for a 3x3 kernel/],
  ['convTranspose2d { output_padding }', () => nn.convTranspose2d(img(), z(1, 1, 3, 3), null, any({ output_padding: 1 })),
    /^convTranspose2d: unknown option "output_padding"; did you mean "outputPadding"\?/],
  ['maxPool2d kernel 0', () => nn.maxPool2d(img(), 0), /^maxPool2d: kernelSize must be .*, got 0/],
  ['maxPool2d { ceil_mode }', () => nn.maxPool2d(img(), 2, any({ ceil_mode: true })), /^maxPool2d: unknown option "ceil_mode"; did you mean "ceilMode"\?/],
  ['avgPool2d { count_include_pad }', () => nn.avgPool2d(img(), 2, any({ count_include_pad: false })), /^avgPool2d: unknown option "count_include_pad"; did you mean "countIncludePad"\?/],
  ['avgPool2d padding 2', () => nn.avgPool2d(img(), 2, { padding: 2 }), /^avgPool2d: padding 2 must be at most half the 2x2 window/],
  ['adaptiveAvgPool2d [0, 1]', () => nn.adaptiveAvgPool2d(img(), [0, 1]), /^adaptiveAvgPool2d: outputSize must be .*, got \[0,1\]/],
  ['globalAvgPool2d("x")', () => nn.globalAvgPool2d(any('x')), /^globalAvgPool2d: argument "x" must be a Tensor, got string "x"/],
  ['relu("x")', () => nn.relu(any('x')), /^relu: argument "x" must be a Tensor, got string "x"/],
  ['sigmoid(null)', () => nn.sigmoid(any(null)), /^sigmoid: argument "x" must be a Tensor, got null/],
  ['leakyRelu(x, "a")', () => nn.leakyRelu(z(2), any('a')), /^leakyRelu: argument "negativeSlope" must be a number, got string "a"/],
  ['softmax(undefined)', () => nn.softmax(any(undefined)), /^softmax: argument "x" must be a Tensor, got undefined/],
  ['logSoftmax axis 2', () => nn.logSoftmax(z(2, 3), 2), /^logSoftmax: axis 2 is out of range/],
  ['sum("x")', () => nn.sum(any('x')), /^sum: argument "x" must be a Tensor, got string "x"/],
  ['mean(x, 5)', () => nn.mean(z(2, 3), 5), /^mean: axis 5 is out of range/],
  ['max(null)', () => nn.max(any(null)), /^max: argument "x" must be a Tensor, got null/],
  ['max of nothing', () => nn.max(z(0)), /^max: tensor of shape \[0\] is empty/],
  ['argmax along an empty axis', () => nn.argmax(z(0, 3), 0), /^argmax: tensor of shape \[0, 3\] is empty along axis 0/],
  ['reshape("x")', () => nn.reshape(any('x'), [1]), /^reshape: argument "x" must be a Tensor, got string "x"/],
  ['concat([t, "a"])', () => nn.concat(any([z(2), 'a'])), /^concat: argument "tensors" must be an array of Tensors, but tensors\[1\] is string "a"/],
  ['stack("ab")', () => nn.stack(any('ab')), /^stack: argument "tensors" must be a non-empty array of Tensors, got string "ab"/],
  ['transpose(7)', () => nn.transpose(any(7)), /^transpose: argument "x" must be a Tensor, got 7/],
  ['expand("x")', () => nn.expand(any('x'), [2]), /^expand: argument "x" must be a Tensor, got string "x"/],
  ['dropout p 1.5', () => nn.dropout(z(2), 1.5, true), /^dropout: p must be a number in \[0, 1\], got 1\.5/],
  ['dropout training "yes"', () => nn.dropout(z(2), 0.5, any('yes')), /^dropout: training must be true or false, got string "yes"/],
  ['batchNorm { running_mean }', () => nn.batchNorm(z(2, 3), any({ running_mean: z(3) })), /^batchNorm: unknown option "running_mean"; did you mean "runningMean"\?/],
  ['batchNorm eps -1', () => nn.batchNorm(z(2, 3), { eps: -1, training: true }), /^batchNorm: eps must be a number >= 0, got -1/],
  ['embedding([0, 2.5], w)', () => nn.embedding([0, 2.5], z(4, 2)), /^embedding: index 2\.5 at position 1 is not an integer row index/],
  ['embedding paddingIdx 9', () => nn.embedding([0], z(4, 2), 9), /^embedding: paddingIdx must be an integer in \[-4, 4\), got 9/],
  ['embedding(ids, "w")', () => nn.embedding([0], any('w')), /^embedding: argument "weight" must be a Tensor, got string "w"/],
  ['pickPerRow label 9', () => nn.pickPerRow(z(2, 3), [0, 9]), /^pickPerRow: label 9 at position 1 is outside \[0, 3\)/],
  ['attentionMaskBias 0.5', () => nn.attentionMaskBias(nn.tensor([[1, 0.5]])), /^attention: mask\[1\] = 0\.5; a mask holds only 0 and 1/],
  ['dotProductAttention { mask_bias }', () => nn.dotProductAttention(z(1, 3), z(1, 2, 3), z(1, 2, 3), any({ mask_bias: null })), /^dotProductAttention: unknown option "mask_bias"; did you mean "maskBias"\?/],
  ['dotProductAttention(q, "k")', () => nn.dotProductAttention(z(1, 3), any('k')), /^dotProductAttention: argument "keys" must be a Tensor, got string "k"/],
  ['recurrentSequence mode', () => nn.recurrentSequence(any('lstmx'), z(2, 1, 2), { weightIh: z(12, 2), weightHh: z(12, 3) }), /^recurrentSequence: mode must be 'lstm', 'gru', 'rnn_tanh' or 'rnn_relu', got string "lstmx"/],
  ['recurrentSequence { revers }', () => nn.recurrentSequence('gru', z(2, 1, 2), { weightIh: z(9, 2), weightHh: z(9, 3) }, any({ revers: true })), /^recurrentSequence: unknown option "revers"; did you mean "reverse"\?/],
  ['recurrentSequence mask 3', () => nn.recurrentSequence('gru', z(2, 1, 2), { weightIh: z(9, 2), weightHh: z(9, 3) }, { mask: nn.tensor([[1], [3]]) }), /^gru: mask\[1\] = 3; a mask holds only 0 and 1/],
  ['lengthsToMask 2.5', () => nn.lengthsToMask([1, 2.5], 3), /^lengthsToMask: sequence lengths must be integers in \[1, 3\].*got 2\.5 for sequence 1/],
  ['lengthsToMask T 0', () => nn.lengthsToMask([1], 0), /^lengthsToMask: T must be a positive integer, got 0/],
  ['randomTranslate maxShift 1.5', () => nn.randomTranslate(img(), 1.5), /^randomTranslate: maxShift must be a non-negative integer, got 1\.5/],
  ['tensor([1, "a"])', () => nn.tensor(any([1, 'a'])), /^tensor\(\): data\[1\] is string "a", not a number/],
  ['tensor([[1], [null]])', () => nn.tensor(any([[1], [null]])), /^tensor\(\): entry 1 of the nested array is null, not a number/],
  ['tensor("abc")', () => nn.tensor(any('abc')), /^tensor\(\): data must be a number, an array or a typed array, got string "abc"/],
  ['zeros { requires_grad }', () => nn.zeros([2], any({ requires_grad: true })), /^full: unknown option "requires_grad"; did you mean "requiresGrad"\?/],
  ['randn { seed }', () => nn.randn([2], any({ seed: 1 })), /^randn: unknown option "seed"; the options are requiresGrad, generator, mean, std/],
  ['full(shape, "a")', () => nn.full([2], any('a')), /^full: value must be a number, got string "a"/],
  ['eye(2.5)', () => nn.eye(2.5), /^eye: n must be a non-negative integer, got 2\.5/],
  ['kaimingUniform_ mode', () => nn.init.kaimingUniform_(z(2, 2), any({ mode: 'fan_avg' })), /^kaimingUniform_: mode must be 'fan_in' or 'fan_out', got string "fan_avg"/],
  ['kaimingNormal_ nonlinearity', () => nn.init.kaimingNormal_(z(2, 2), any({ nonlinearity: 'gelu' })), /^calculateGain: nonlinearity must be .*got string "gelu"/],
  ['kaimingUniform_ { gen }', () => nn.init.kaimingUniform_(z(2, 2), any({ gen: 1 })), /^kaimingUniform_: unknown option "gen"; did you mean "generator"\?/],
];

const optimizers: Case[] = [
  ['SGD { weight_decay }', () => new nn.SGD(params(), any({ lr: 0.1, weight_decay: 0.5 })), /^SGD: unknown option "weight_decay"; did you mean "weightDecay"\?/],
  ['SGD lr NaN', () => new nn.SGD(params(), { lr: NaN }), /^SGD: invalid lr NaN/],
  ['SGD lr -1', () => new nn.SGD(params(), { lr: -1 }), /^SGD: invalid lr -1/],
  ['SGD lr "0.1"', () => new nn.SGD(params(), any({ lr: '0.1' })), /^SGD: invalid lr 0\.1/],
  ['SGD nesterov "yes"', () => new nn.SGD(params(), any({ lr: 0.1, momentum: 0.9, nesterov: 'yes' })), /^SGD: invalid nesterov "yes"/],
  ['SGD dampening NaN', () => new nn.SGD(params(), { lr: 0.1, dampening: NaN }), /^SGD: dampening must be a finite number, got NaN/],
  ['SGD group { weight_decay }', () => new nn.SGD(any([{ params: params(), weight_decay: 1 }]), { lr: 0.1 }), /^SGD: parameter group 0: unknown option "weight_decay"; did you mean "weightDecay"\?/],
  ['SGD params "ps"', () => new nn.SGD(any('ps'), { lr: 0.1 }), /^SGD: params must be an array .*got string "ps"/],
  ['Adam betas [0.9, 1]', () => new nn.Adam(params(), { betas: [0.9, 1] }), /^Adam: invalid beta2 1 \(must be in \[0, 1\)\)/],
  ['Adam betas [-0.1, 0.9]', () => new nn.Adam(params(), { betas: [-0.1, 0.9] }), /^Adam: invalid beta1 -0\.1/],
  ['Adam eps -1', () => new nn.Adam(params(), { eps: -1 }), /^Adam: invalid eps -1/],
  ['Adam lr NaN', () => new nn.Adam(params(), { lr: NaN }), /^Adam: invalid lr NaN/],
  ['Adam { beta1 }', () => new nn.Adam(params(), any({ beta1: 0.9 })), /^Adam: unknown option "beta1"; did you mean "betas"\?/],
  ['AdamW { amsGrad }', () => new nn.AdamW(params(), any({ amsGrad: true })), /^AdamW: unknown option "amsGrad"; did you mean "amsgrad"\?/],
  ['AdamW amsgrad 1', () => new nn.AdamW(params(), any({ amsgrad: 1 })), /^AdamW: invalid amsgrad 1/],
  ['RMSprop alpha 1.5', () => new nn.RMSprop(params(), { alpha: 1.5 }), /^RMSprop: invalid alpha 1\.5/],
  ['RMSprop { centred }', () => new nn.RMSprop(params(), any({ centred: true })), /^RMSprop: unknown option "centred"; did you mean "centered"\?/],
  ['Adagrad { lr_decay }', () => new nn.Adagrad(params(), any({ lr_decay: 0.1 })), /^Adagrad: unknown option "lr_decay"; did you mean "lrDecay"\?/],
  ['Adagrad eps -1', () => new nn.Adagrad(params(), { eps: -1 }), /^Adagrad: invalid eps -1/],
  ['Adadelta rho 1.5', () => new nn.Adadelta(params(), { rho: 1.5 }), /^Adadelta: invalid rho 1\.5/],
  ['StepLR stepSize 2.5', () => new nn.StepLR(new nn.SGD(params(), { lr: 0.1 }), 2.5), /^StepLR: stepSize must be a positive integer, got 2\.5/],
  ['StepLR gamma NaN', () => new nn.StepLR(new nn.SGD(params(), { lr: 0.1 }), 2, NaN), /^StepLR: gamma must be a number > 0, got NaN/],
  ['ExponentialLR gamma 0', () => new nn.ExponentialLR(new nn.SGD(params(), { lr: 0.1 }), 0), /^ExponentialLR: gamma must be a number > 0, got 0/],
  ['CosineAnnealingLR tMax 0', () => new nn.CosineAnnealingLR(new nn.SGD(params(), { lr: 0.1 }), 0), /^CosineAnnealingLR: tMax must be a number > 0, got 0/],
  ['CosineAnnealingLR({})', () => new nn.CosineAnnealingLR(any({}), 10), /^CosineAnnealingLR: optimizer must be an Optimizer, got \{\}/],
  ['clipGradNorm_ -1', () => nn.clipGradNorm_(params(), -1), /^clipGradNorm_: maxNorm must be a number >= 0, got -1/],
  ['clipGradValue_ NaN', () => nn.clipGradValue_(params(), NaN), /^clipGradValue_: clipValue must be a number >= 0, got NaN/],
  ['gradCheck { epsilon }', () => nn.gradCheck((x) => x, [z(2)], any({ epsilon: 1e-3 })), /^gradCheck: unknown option "epsilon"; did you mean "eps"\?/],
  ['gradCheck eps 0', () => nn.gradCheck((x) => x, [z(2)], { eps: 0 }), /^gradCheck: eps must be a number > 0, got 0/],
  ['gradCheck("f")', () => nn.gradCheck(any('f'), [z(2)]), /^gradCheck: fn must be a function of the inputs, got string "f"/],
  ['assertGradCheck { nam }', () => nn.assertGradCheck((x) => x, [z(2)], any({ nam: 'x' })), /^assertGradCheck: unknown option "nam"; did you mean "name"\?/],
];

const all: Array<[string, Case[]]> = [
  ['layer constructors', layerConstructors],
  ['layer forwards', layerForwards],
  ['losses', losses],
  ['functional ops', ops],
  ['optimizers, schedulers, clipping and gradCheck', optimizers],
];

for (const [family, cases] of all) {
  describe(`bad inputs: ${family}`, () => {
    it.each(cases)('%s', (_name, call, message) => {
      nn.tidy(() => {
        expect(call).toThrow(message);
      });
    });
  });
}

describe('bad inputs: fit, evaluate and predict', () => {
  const data = () => ({ x: nn.zeros([4, 3]), y: [0, 1, 2, 1] });
  const model = () => new nn.Linear(3, 3);
  const base = (m: nn.Module) => ({ loss: 'crossEntropy' as const, optimizer: new nn.SGD(m.parameters(), { lr: 0.1 }), progress: false });
  const fitCases: Array<[string, (m: nn.Module) => Promise<unknown>, RegExp]> = [
    ['batchSize 2.5', (m) => nn.fit(m, data(), { ...base(m), batchSize: 2.5 }), /^fit: batchSize must be a positive integer, got 2\.5/],
    ['batchSize 0', (m) => nn.fit(m, data(), { ...base(m), batchSize: 0 }), /^fit: batchSize must be a positive integer, got 0/],
    ['epochs -1', (m) => nn.fit(m, data(), { ...base(m), epochs: -1 }), /^fit: epochs must be a positive integer, got -1/],
    ['epochs NaN', (m) => nn.fit(m, data(), { ...base(m), epochs: NaN }), /^fit: epochs must be a positive integer, got NaN/],
    ['{ batch_size }', (m) => nn.fit(m, data(), any({ ...base(m), batch_size: 2 })), /^fit: unknown option "batch_size"; did you mean "batchSize"\?/],
    ['{ epoch }', (m) => nn.fit(m, data(), any({ ...base(m), epoch: 2 })), /^fit: unknown option "epoch"; did you mean "epochs"\?/],
    ['loss "cross_entropy"', (m) => nn.fit(m, data(), any({ ...base(m), loss: 'cross_entropy' })), /^fit: loss must be 'crossEntropy', 'mse' or 'binaryCrossEntropyWithLogits', got string "cross_entropy"/],
    ['optimizer {}', (m) => nn.fit(m, data(), any({ ...base(m), optimizer: {} })), /^fit: optimizer must be an object with step\(\) and zeroGrad\(\), got \{\}/],
    ['shuffle "no"', (m) => nn.fit(m, data(), any({ ...base(m), shuffle: 'no' })), /^fit: shuffle must be true or false, got string "no"/],
    ['earlyStopping { patience: -1 }', (m) => nn.fit(m, data(), { ...base(m), earlyStopping: { patience: -1 } }), /^fit: earlyStopping: patience must be a non-negative integer, got -1/],
    ['earlyStopping { monitor: "val_loss" }', (m) => nn.fit(m, data(), any({ ...base(m), earlyStopping: { monitor: 'val_loss' } })), /^fit: earlyStopping: monitor must be .*got string "val_loss"/],
    ['callbacks { onEpochEnds }', (m) => nn.fit(m, data(), any({ ...base(m), callbacks: { onEpochEnds() {} } })), /^fit: callbacks: unknown option "onEpochEnds"; did you mean "onEpochEnd"\?/],
    ['label 2.5', (m) => nn.fit(m, { x: nn.zeros([2, 3]), y: [0, 2.5] }, base(m)), /^fit: label 2\.5 at position 1 is not a non-negative integer class index/],
    ['label NaN in a Float32Array', (m) => nn.fit(m, { x: nn.zeros([2, 3]), y: any(new Float32Array([NaN, 0])) }, base(m)), /^fit: label NaN at position 0/],
    ['label -1 in an Int32Array', (m) => nn.fit(m, { x: nn.zeros([2, 3]), y: new Int32Array([0, -1]) }, base(m)), /^fit: label -1 at position 1 is outside/],
    ['label 3 of 3 classes', (m) => nn.fit(m, { x: nn.zeros([2, 3]), y: [0, 3] }, base(m)), /^fit: label 3 at position 1 is outside \[0, 3\) for a model with 3 outputs/],
    ['labels as a tensor, 1.5', (m) => nn.fit(m, { x: nn.zeros([2, 3]), y: nn.tensor([0, 1.5]) }, base(m)), /^fit: label 1\.5 at position 1/],
    ['validationData label "a"', (m) => nn.fit(m, data(), { ...base(m), validationData: { x: nn.zeros([1, 3]), y: any(['a']) } }), /^validationData: label string "a" at position 0/],
    ['model "m"', (m) => nn.fit(any('m'), data(), base(m)), /^fit: model must be a Module, got string "m"/],
  ];
  it.each(fitCases)('fit: %s', async (_name, call, message) => {
    await expect(call(model())).rejects.toThrow(message);
  });

  const syncCases: Case[] = [
    ['evaluate { batch_size }', () => nn.evaluate(model(), data(), any({ batch_size: 2 })), /^evaluate: unknown option "batch_size"; did you mean "batchSize"\?/],
    ['evaluate label undefined', () => nn.evaluate(model(), { x: nn.zeros([2, 3]), y: any([0, undefined]) }), /^evaluate: label undefined at position 1/],
    ['evaluate batchSize -2', () => nn.evaluate(model(), data(), { batchSize: -2 }), /^evaluate: batchSize must be a positive integer, got -2/],
    ['predict { batchsize }', () => nn.predict(model(), nn.zeros([2, 3]), any({ batchsize: 2 })), /^predict: unknown option "batchsize"; did you mean "batchSize"\?/],
    ['predict x "x"', () => nn.predict(model(), any('x')), /^predict: x must be a Tensor or a Dataset, got string "x"/],
    ['DataLoader { batch_size }', () => new nn.DataLoader(data(), any({ batch_size: 2 })), /^DataLoader: unknown option "batch_size"; did you mean "batchSize"\?/],
    ['DataLoader label 0.5', () => new nn.DataLoader({ x: nn.zeros([2, 3]), y: [0.5, 1] }), /^DataLoader: label 0\.5 at position 0/],
  ];
  it.each(syncCases)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

it('the table covers every layer and loss the package exports', () => {
  const named = [...layerConstructors, ...layerForwards, ...losses].map(([n]) => n).join(' ');
  const layers = ['Linear', 'Conv2d', 'ConvTranspose2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'Dropout', 'LeakyReLU', 'ELU',
    'Softmax', 'LogSoftmax', 'Flatten', 'Reshape', 'Sequential', 'RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell', 'Embedding', 'DotAttention',
    'AdditiveAttention', 'ReLU', 'Upsample'];
  const lossNames = ['crossEntropy', 'nllLoss', 'sequenceCrossEntropy', 'sequenceMseLoss', 'mseLoss', 'l1Loss', 'binaryCrossEntropy',
    'binaryCrossEntropyWithLogits', 'l1Penalty', 'l2Penalty', 'klDivGaussian'];
  for (const n of [...layers, ...lossNames]) expect(named).toMatch(new RegExp(`\\b${n}\\b`));
  const total = all.reduce((s, [, c]) => s + c.length, 0) + 19 + 7;
  expect(total).toBeGreaterThanOrEqual(200);
});
