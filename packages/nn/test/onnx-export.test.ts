/**
 * nn.exportOnnx on every exportable layer and op: each model is exported from a batch of 2 (the
 * batch axis dynamic), run in ONNX Runtime (onnxruntime-node) at batch 1 and batch 3 on fresh random
 * inputs, and must give our outputs within 1e-4 of their scale. Then the options, the structure of
 * the file, and the errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Generator, Tensor } from '../src/index.js';
import { use } from './setup.js';
import { expectClose, openOnnx, runOnnx } from './onnx-runtime.js';

beforeAll(async () => {
  await use('simd128');
});

const gen = new Generator(5);
const randn = (shape: number[]) => nn.randn(shape, { generator: gen });
const ids = (shape: number[], n: number) => nn.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(gen.uniform() * n)), shape);

/** A module from a function (for residual additions, concatenations and plain ops). */
class Fn extends nn.Module {
  constructor(private readonly fn: (x: Tensor) => Tensor, children: Record<string, nn.Module> = {}) {
    super();
    for (const [name, m] of Object.entries(children)) this.registerModule(name, m);
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Batch norm with running statistics that are not the defaults (a few training batches first). */
function trainedBatchNorm(bn: nn.Module, shape: number[]): nn.Module {
  bn.train();
  for (let i = 0; i < 3; i++) nn.noGrad(() => bn.forward(nn.affine(randn(shape), 2, 0.5)));
  return bn;
}

interface Case {
  name: string;
  model: () => nn.Module;
  /** The input at a batch size. */
  input: (batch: number) => Tensor;
  int64?: boolean;
  dynamicAxes?: Record<number, string>;
}

const img = (c: number, h: number, w = h) => (b: number) => randn([b, c, h, w]);
const rows = (f: number) => (b: number) => randn([b, f]);
const seq = (t: number, f: number) => (b: number) => randn([t, b, f]);
const timeBatch = { 0: 'time', 1: 'batch' };

const ACTIVATIONS: Array<[string, () => nn.Module]> = [
  ['Identity', () => new nn.Identity()], ['Step', () => new nn.Step()], ['Sigmoid', () => new nn.Sigmoid()], ['Tanh', () => new nn.Tanh()],
  ['ReLU', () => new nn.ReLU()], ['LeakyReLU(0.2)', () => new nn.LeakyReLU(0.2)], ['ELU(0.7)', () => new nn.ELU(0.7)],
  ['Gaussian', () => new nn.Gaussian()], ['Softmax(1)', () => new nn.Softmax(1)], ['LogSoftmax(-1)', () => new nn.LogSoftmax(-1)],
];

const CASES: Case[] = [
  { name: 'Linear', model: () => new nn.Linear(6, 5), input: rows(6) },
  { name: 'Linear without bias on [B, 4, 6]', model: () => new nn.Linear(6, 3, { bias: false }), input: (b) => randn([b, 4, 6]) },
  { name: 'Linear on [B, 4, 6]', model: () => new nn.Linear(6, 3), input: (b) => randn([b, 4, 6]) },
  ...ACTIVATIONS.map(([name, make]): Case => ({ name, model: () => new nn.Sequential(new nn.Linear(5, 7), make()), input: rows(5) })),
  { name: 'Softmax over channels of an image', model: () => new nn.Softmax(1), input: img(3, 4) },
  { name: 'Conv2d', model: () => new nn.Conv2d(3, 4, 3), input: img(3, 7) },
  { name: 'Conv2d stride 2, padding 1, no bias', model: () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1, bias: false }), input: img(3, 9) },
  { name: 'Conv2d groups 2, dilation 2', model: () => new nn.Conv2d(4, 6, 3, { groups: 2, dilation: 2, padding: 2 }), input: img(4, 8) },
  { name: 'Conv2d depthwise', model: () => new nn.Conv2d(4, 4, 3, { groups: 4, padding: 1 }), input: img(4, 6) },
  { name: 'Conv2d rectangular kernel and stride', model: () => new nn.Conv2d(2, 3, [3, 2], { stride: [2, 1], padding: [1, 0] }), input: img(2, 7, 6) },
  { name: 'ConvTranspose2d', model: () => new nn.ConvTranspose2d(3, 4, 3), input: img(3, 5) },
  { name: 'ConvTranspose2d stride 2, padding 1, output padding 1, no bias', model: () => new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1, bias: false }), input: img(4, 4) },
  { name: 'ConvTranspose2d groups 2, dilation 2, rectangular', model: () => new nn.ConvTranspose2d(4, 6, [3, 2], { groups: 2, dilation: 2, stride: [1, 2] }), input: img(4, 3, 4) },
  { name: 'Upsample nearest x2', model: () => new nn.Upsample({ scaleFactor: 2 }), input: img(2, 3, 4) },
  { name: 'Upsample nearest to 5x7', model: () => new nn.Upsample({ size: [5, 7] }), input: img(2, 3, 4) },
  { name: 'Upsample bilinear x1.5', model: () => new nn.Upsample({ scaleFactor: 1.5, mode: 'bilinear' }), input: img(2, 4, 6) },
  { name: 'Upsample bilinear, align corners, to 7x5', model: () => new nn.Upsample({ size: [7, 5], mode: 'bilinear', alignCorners: true }), input: img(2, 3, 4) },
  { name: 'MaxPool2d 3/2 padding 1', model: () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), input: img(2, 9) },
  { name: 'MaxPool2d ceil mode', model: () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), input: img(2, 8) },
  { name: 'AvgPool2d 2', model: () => new nn.AvgPool2d(2), input: img(2, 8) },
  { name: 'AvgPool2d padding, countIncludePad false', model: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), input: img(2, 7) },
  { name: 'AvgPool2d padding, countIncludePad true', model: () => new nn.AvgPool2d(3, { stride: 1, padding: 1 }), input: img(2, 5) },
  { name: 'AdaptiveAvgPool2d(1)', model: () => new nn.AdaptiveAvgPool2d(1), input: img(3, 5) },
  { name: 'AdaptiveAvgPool2d(2) from 6x4', model: () => new nn.AdaptiveAvgPool2d(2), input: img(3, 6, 4) },
  { name: 'AdaptiveAvgPool2d(3) from 7x5 (overlapping bins)', model: () => new nn.AdaptiveAvgPool2d(3), input: img(2, 7, 5) },
  { name: 'AdaptiveAvgPool2d(4) from 1x2 (repeated bins)', model: () => new nn.AdaptiveAvgPool2d(4), input: img(2, 1, 2) },
  { name: 'AdaptiveAvgPool2d to the same size', model: () => new nn.Sequential(new nn.AdaptiveAvgPool2d(3), new nn.ReLU()), input: img(2, 3) },
  { name: 'BatchNorm2d (eval, trained statistics)', model: () => trainedBatchNorm(new nn.BatchNorm2d(3), [4, 3, 5, 5]), input: img(3, 5) },
  { name: 'BatchNorm2d without affine', model: () => trainedBatchNorm(new nn.BatchNorm2d(3, { affine: false }), [4, 3, 2, 2]), input: img(3, 2) },
  { name: 'BatchNorm1d', model: () => trainedBatchNorm(new nn.BatchNorm1d(6), [8, 6]), input: rows(6) },
  { name: 'Dropout (identity in eval)', model: () => new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5)), input: rows(4) },
  { name: 'Flatten', model: () => new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.Flatten(), new nn.Linear(3 * 4 * 4, 5)), input: img(2, 6) },
  { name: 'Flatten from dim 2', model: () => new nn.Flatten(2), input: img(2, 3) },
  { name: 'Reshape', model: () => new nn.Sequential(new nn.Linear(8, 12), new nn.Reshape([3, -1]), new nn.Softmax(-1)), input: rows(8) },
  {
    name: 'residual addition',
    model: () => {
      const conv = new nn.Conv2d(3, 3, 3, { padding: 1 });
      return new Fn((x) => nn.relu(nn.add(conv.forward(x), x)), { conv });
    },
    input: img(3, 5),
  },
  {
    name: 'concatenation along channels',
    model: () => {
      const a = new nn.Conv2d(3, 2, 1);
      const b = new nn.Conv2d(3, 4, 3, { padding: 1 });
      return new Fn((x) => nn.concat([a.forward(x), b.forward(x), nn.maxPool2d(x, 3, { stride: 1, padding: 1 })], 1), { a, b });
    },
    input: img(3, 5),
  },
  {
    name: 'element-wise ops with numbers',
    model: () => new Fn((x) => nn.div(nn.sub(nn.mul(nn.add(x, 1.5), 2), nn.exp(nn.neg(x))), nn.add(nn.abs(x), 1))),
    input: rows(5),
  },
  {
    name: 'clamp, sqrt, log, square, reciprocal, affine',
    model: () => new Fn((x) => nn.add(nn.clamp(x, -0.5, 0.7), nn.reciprocal(nn.add(nn.log(nn.add(nn.sqrt(nn.square(x)), 1)), 2)))),
    input: rows(5),
  },
  { name: 'sum, mean, max, min', model: () => new Fn((x) => nn.concat([nn.sum(x, 1, true), nn.mean(x, [1], true), nn.max(x, 1, true), nn.min(x, 1, true), nn.mean(x, -1, true)], 1)), input: rows(6) },
  { name: 'permute, transpose, matmul', model: () => new Fn((x) => nn.matmul(nn.permute(x, [0, 2, 1]), nn.transpose(nn.permute(x, [0, 2, 1]), 1, 2))), input: (b) => randn([b, 3, 4]) },
  { name: 'narrow, slice, stack, unsqueeze, squeeze', model: () => new Fn((x) => nn.squeeze(nn.stack([nn.narrow(x, 1, 1, 3), nn.slice(x, [0, 2], [-1, 3])], 1).reshape([x.shape[0]!, 2, 3, 1]), 3)), input: rows(6) },
  { name: 'zerosLike, onesLike, expand', model: () => new Fn((x) => nn.add(nn.add(nn.zerosLike(x), nn.onesLike(x)), nn.expand(nn.mean(x, 1, true), x.shape))), input: rows(4) },
  { name: 'Embedding', model: () => new nn.Sequential(new nn.Embedding(11, 4), new nn.Flatten(), new nn.Linear(20, 3)), input: (b) => ids([b, 5], 11), int64: true },
  { name: 'Embedding, time-major, dynamic time and batch', model: () => new nn.Embedding(7, 3), input: (b) => ids([4, b], 7), int64: true, dynamicAxes: timeBatch },
  { name: 'RNN tanh', model: () => new nn.RNN(3, 5), input: seq(6, 3), dynamicAxes: timeBatch },
  { name: 'RNN relu, 2 layers', model: () => new nn.RNN(3, 5, { nonlinearity: 'relu', numLayers: 2 }), input: seq(4, 3), dynamicAxes: timeBatch },
  { name: 'LSTM', model: () => new nn.LSTM(3, 5), input: seq(6, 3), dynamicAxes: timeBatch },
  { name: 'LSTM 2 layers, bidirectional', model: () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }), input: seq(5, 3), dynamicAxes: timeBatch },
  { name: 'LSTM batch first, no bias', model: () => new nn.LSTM(3, 4, { batchFirst: true, bias: false }), input: (b) => randn([b, 5, 3]), dynamicAxes: { 0: 'batch', 1: 'time' } },
  { name: 'GRU', model: () => new nn.GRU(3, 5), input: seq(6, 3), dynamicAxes: timeBatch },
  { name: 'GRU 2 layers, bidirectional', model: () => new nn.GRU(4, 3, { numLayers: 2, bidirectional: true }), input: seq(5, 4), dynamicAxes: timeBatch },
  {
    name: 'LSTM final state through a head',
    model: () => {
      const lstm = new nn.LSTM(3, 4, { bidirectional: true });
      const head = new nn.Linear(8, 2);
      return new Fn((x) => head.forward(nn.reshape(nn.permute(lstm.run(x).h, [1, 0, 2]), [x.shape[1]!, 8])), { lstm, head });
    },
    input: seq(5, 3),
    dynamicAxes: timeBatch,
  },
  { name: 'LSTMCell', model: () => new nn.LSTMCell(3, 4), input: rows(3) },
  { name: 'GRUCell', model: () => new nn.GRUCell(3, 4), input: rows(3) },
  { name: 'RNNCell', model: () => new nn.RNNCell(3, 4), input: rows(3) },
  { name: 'RBM as a layer (sigmoid of the hidden input)', model: () => new nn.RBM(6, 4), input: rows(6) },
];

describe('exportOnnx: ONNX Runtime gives our outputs', () => {
  it.each(CASES)('$name', async (c) => {
    const model = c.model();
    model.eval();
    const bytes = nn.exportOnnx(model, c.input(2), c.dynamicAxes ? { dynamicAxes: c.dynamicAxes } : {});
    const session = await openOnnx(bytes);
    try {
      for (const batch of [1, 3]) {
        const x = c.input(batch);
        const y = nn.noGrad(() => model.forward(x));
        const theirs = await session.run({ input: { data: x.toArray(), shape: x.shape, int64: c.int64 } });
        expectClose(`${c.name} at batch ${batch}`, { data: y.toArray(), shape: y.shape }, theirs);
      }
    } finally {
      await session.release();
    }
  });
});

describe('exportOnnx: the file', () => {
  it('declares the opset, a dynamic batch axis and the parameters under their state-dict names', () => {
    const model = new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const m = nn.decodeOnnxModel(nn.exportOnnx(model, randn([2, 6])));
    expect(m.ir_version).toBe(8);
    expect(m.opset_import.map((o) => [o.domain ?? '', o.version])).toEqual([['', 18]]);
    expect(m.producer_name).toBe('deepwasm');
    const dims = (v: (typeof m.graph.input)[number]) => v.type.tensor_type.shape.dim;
    expect(m.graph.input.map((v) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([['input', 1, [{ dim_param: 'batch' }, { dim_value: 6 }]]]);
    expect(m.graph.output.map((v) => [v.name, dims(v)])).toEqual([['output', [{ dim_param: 'batch' }, { dim_value: 2 }]]]);
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'Relu', 'Gemm']);
    expect(m.graph.initializer.map((t) => [t.name, t.dims])).toEqual([['0.weight', [4, 6]], ['0.bias', [4]], ['2.weight', [2, 4]], ['2.bias', [2]]]);
    const w = m.graph.initializer[0]!;
    expect(Array.from(new Float32Array(Uint8Array.from(w.raw_data).buffer))).toEqual(Array.from(model.stateDict().get('0.weight')!.toArray()));
  });

  it('writes the LSTM weights in ONNX gate order (i, o, f, c from PyTorch i, f, g, o)', () => {
    const lstm = new nn.LSTM(2, 3);
    const m = nn.decodeOnnxModel(nn.exportOnnx(lstm, randn([4, 2, 2]), { dynamicAxes: false }));
    const W = m.graph.initializer.find((t) => t.name === 'weight_ih_l0.onnx')!;
    expect(W.dims).toEqual([1, 12, 2]);
    const ours = lstm.stateDict().get('weight_ih_l0')!.toArray();
    const theirs = new Float32Array(Uint8Array.from(W.raw_data).buffer);
    const block = (a: Float32Array, g: number) => Array.from(a.subarray(g * 6, (g + 1) * 6));
    [0, 3, 1, 2].forEach((from, to) => expect(block(theirs, to)).toEqual(block(ours, from)));
    const node = m.graph.node.find((n) => n.op_type === 'LSTM')!;
    expect(node.attribute.find((a) => a.name === 'hidden_size')!.i).toBe(3);
  });

  it.each([13, 17, 21])('runs in ONNX Runtime at opset %i', async (opset) => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new Fn((x) => nn.mean(x, [2, 3])), new nn.Linear(4, 3), new nn.LogSoftmax(1),
    );
    const m = nn.decodeOnnxModel(nn.exportOnnx(model, randn([2, 1, 8, 8]), { opset }));
    expect(m.opset_import[0]!.version).toBe(opset);
    expect(m.ir_version).toBe(opset <= 14 ? 7 : opset <= 18 ? 8 : 10);
    const x = randn([3, 1, 8, 8]);
    const y = nn.noGrad(() => model.forward(x));
    expectClose(`opset ${opset}`, { data: y.toArray(), shape: y.shape }, await runOnnx(nn.exportOnnx(model, randn([2, 1, 8, 8]), { opset }), { input: { data: x.toArray(), shape: x.shape } }));
  });

  it('takes input and output names, and fixes every size with dynamicAxes: false', async () => {
    const model = new nn.Linear(3, 2);
    const bytes = nn.exportOnnx(model, randn([2, 3]), { inputNames: ['features'], outputNames: ['logits'], dynamicAxes: false });
    const m = nn.decodeOnnxModel(bytes);
    expect(m.graph.input[0]!.name).toBe('features');
    expect(m.graph.output[0]!.name).toBe('logits');
    expect(m.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_value: 2 }, { dim_value: 3 }]);
    const x = randn([2, 3]);
    const y = nn.noGrad(() => model.forward(x));
    expectClose('named', { data: y.toArray(), shape: y.shape }, await runOnnx(bytes, { features: { data: x.toArray(), shape: x.shape } }));
    await expect(runOnnx(bytes, { features: { data: randn([3, 3]).toArray(), shape: [3, 3] } })).rejects.toThrow();
  });

  it('leaves the model in the mode it was in and its parameters untouched', () => {
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5), new nn.BatchNorm1d(3));
    const before = model.parameters().map((p) => Array.from(p.toArray()));
    nn.exportOnnx(model, randn([2, 3]));
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
    expect(model.parameters().map((p) => Array.from(p.toArray()))).toEqual(before);
  });
});

describe('exportOnnx: errors', () => {
  it('names an op with no converter and the module path it was called in', () => {
    const graph = new nn.Graph([[0, 1, 2], [1, 2, 0]], { numNodes: 3 });
    const conv = new nn.GCNConv(4, 2);
    const model = new nn.Sequential({ proj: new nn.Linear(4, 4), conv: new Fn((x) => conv.forward(x, graph), { gcn: conv }) });
    expect(() => nn.exportOnnx(model, randn([3, 4]), { dynamicAxes: false })).toThrow(/op "spmm" in module "conv\.gcn" \(GCNConv\) has no ONNX converter/);
    const sampler = new nn.Sequential(new nn.Linear(4, 4), new Fn((x) => nn.bernoulli(nn.sigmoid(x), { generator: gen })));
    expect(() => nn.exportOnnx(sampler, randn([3, 4]))).toThrow(/op "bernoulli" in module "1" \(Fn\) has no ONNX converter/);
  });

  it('refuses a forward whose ops or constants change with the batch size', () => {
    const loop = new Fn((x) => {
      let y = x;
      for (let i = 0; i < x.shape[0]!; i++) y = nn.relu(y);
      return y;
    });
    expect(() => nn.exportOnnx(loop, randn([2, 3]))).toThrow(/calls different ops when a dynamic axis is one longer/);
    const zeros = new Fn((x) => nn.add(x, nn.zeros([x.shape[0]!, 3])));
    expect(() => nn.exportOnnx(zeros, randn([2, 3]))).toThrow(/changes with the dynamic axes.*zerosLike/);
    expect(nn.exportOnnx(zeros, randn([2, 3]), { dynamicAxes: false })).toBeInstanceOf(Uint8Array);
  });

  it('checks its arguments', () => {
    const model = new nn.Linear(3, 2);
    expect(() => nn.exportOnnx(model, randn([2, 3]), { opset: 12 })).toThrow(/opset must be an integer from 13 to 21, got 12/);
    expect(() => nn.exportOnnx(model, randn([2, 3]), { dynamic: false } as never)).toThrow(/exportOnnx: unknown option "dynamic"; did you mean "dynamicAxes"\?/);
    expect(() => nn.exportOnnx(model, [] as never)).toThrow(/sampleInput must be a Tensor or a non-empty array of Tensors/);
    expect(() => nn.exportOnnx(model, randn([2, 3]), { dynamicAxes: { 2: 'x' } })).toThrow(/dynamic axis 2 of input 0 is not an axis of its shape \[2, 3\]/);
    expect(() => nn.exportOnnx(model, randn([2, 4]))).toThrow(/exportOnnx: the forward pass on the sample input failed: .*Linear/);
    expect(() => nn.exportOnnx(new nn.AdaptiveAvgPool2d(2), randn([1, 1, 5, 5]), { dynamicAxes: { 0: 'batch', 2: 'height' } })).toThrow(
      /adaptiveAvgPool2d in the model \(AdaptiveAvgPool2d\): the input height and width must be fixed/,
    );
  });
});
