/** Architecture JSON: checked whole against each module type's schema, errors naming the JSON path. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const doc = (architecture: unknown) => JSON.stringify({ format: 'deepwasm-model', version: 1, architecture });
const read = (architecture: unknown) => () => nn.moduleFromJson(doc(architecture));
const seq = (...children: unknown[]) => ({ type: 'Sequential', config: {}, children: Object.fromEntries(children.map((c, i) => [String(i), c])) });

/** One instance of every built-in type, with non-default options where they exist. */
function everyType(): nn.Module[] {
  return [
    new nn.Linear(3, 2, { bias: false }), new nn.Dropout(0.3), new nn.BatchNorm1d(4, { eps: 1e-3, momentum: 0.2, affine: false }),
    new nn.BatchNorm2d(3, { trackRunningStats: false }), new nn.Flatten(1, 2), new nn.Reshape([2, -1]), new nn.Identity(), new nn.Step(),
    new nn.Sigmoid(), new nn.Tanh(), new nn.ReLU(), new nn.Gaussian(), new nn.LeakyReLU(0.2), new nn.ELU(0.5), new nn.Softmax(1), new nn.LogSoftmax(0),
    new nn.Conv2d(4, 6, [3, 2], { stride: 2, padding: [1, 0], dilation: 1, groups: 2, bias: false }),
    new nn.ConvTranspose2d(4, 6, [3, 2], { stride: 2, padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], groups: 2, bias: false }),
    new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), new nn.MaxPool2d(2),
    new nn.AvgPool2d([2, 3], { countIncludePad: false }), new nn.AdaptiveAvgPool2d([2, 1]), new nn.Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear', alignCorners: true }), new nn.Upsample({ size: 5 }),
    new nn.RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, dropout: 0.1, bidirectional: true, batchFirst: true }),
    new nn.LSTM(3, 4, { bias: false }), new nn.GRU(2, 3), new nn.RNNCell(2, 3, { nonlinearity: 'relu' }), new nn.LSTMCell(2, 3), new nn.GRUCell(2, 3, { bias: false }),
    new nn.Embedding(10, 4, { paddingIdx: 0 }), new nn.Embedding(5, 2), new nn.DotAttention(4, 6, { general: true, scaled: true }), new nn.AdditiveAttention(3, 4, 5),
    new nn.Sequential({ b: new nn.ReLU(), a: new nn.Sequential(new nn.Tanh()) }),
  ];
}

describe('architecture JSON', () => {
  it('reads back what getConfig writes, for every built-in type', () => {
    for (const m of everyType()) {
      const copy = nn.moduleFromJson(nn.architectureToJson(m));
      expect(copy.getConfig()).toEqual(m.getConfig());
      expect(m.getConfig().type).toBe(nn.moduleTypeName(m)); // the saved type is the class's typeName
      expect(nn.moduleTypeName(copy)).toBe(nn.moduleTypeName(m));
      expect([...copy.stateDict()].map(([k, t]) => [k, t.shape])).toEqual([...m.stateDict()].map(([k, t]) => [k, t.shape]));
    }
  });

  it('rejects wrong types, missing and unknown fields, naming the JSON path', () => {
    const conv = { type: 'Conv2d', config: { inChannels: 1, outChannels: 2, kernelSize: 3 } };
    expect(read(seq({ type: 'ReLU', config: {} }, { ...conv, config: { inChannels: 1, outChannels: 2 } }))).toThrow(
      'architecture: children.1.config.kernelSize: Conv2d needs "kernelSize" (an integer >= 1 or a pair [h, w] of them)',
    );
    expect(read({ type: 'MaxPool2d', config: {} })).toThrow('architecture: config.kernelSize: MaxPool2d needs "kernelSize"');
    expect(read({ type: 'Sequential', config: { names: 'abc' }, children: {} })).toThrow(
      `architecture: config.names: Sequential's "names" must be an array of distinct strings, got "abc"`,
    );
    expect(read(seq(seq({ ...conv, config: { ...conv.config, kernel_size: 3 } })))).toThrow(
      'architecture: children.0.children.0.config.kernel_size: unknown option for Conv2d (did you mean "kernelSize"?)',
    );
    expect(read({ type: 'Linear', config: { inFeatures: '6', outFeatures: 2 } })).toThrow(`config.inFeatures: Linear's "inFeatures" must be an integer >= 0, got "6"`);
    expect(read({ type: 'Linear', config: { inFeatures: 6.5, outFeatures: 2 } })).toThrow('must be an integer >= 0, got 6.5');
    expect(read({ type: 'Linear', config: { inFeatures: 6, outFeatures: 2, bias: 1 } })).toThrow(`config.bias: Linear's "bias" must be true or false, got 1`);
    expect(read({ type: 'Dropout', config: { p: 2 } })).toThrow('must be a finite number in [0, 1], got 2');
    expect(read({ type: 'RNN', config: { inputSize: 1, hiddenSize: 2, nonlinearity: 'sigmoid' } })).toThrow(`"nonlinearity" must be one of "tanh", "relu"`);
    expect(read({ type: 'Conv2d', config: { ...conv.config, stride: [1, 0] } })).toThrow('config.stride: Conv2d\'s "stride" must be an integer >= 1 or a pair [h, w] of them, got [1,0]');
    expect(read({ type: 'ReLU', config: { inplace: true } })).toThrow('config.inplace: unknown option for ReLU; ReLU takes no options');
    expect(read({ type: 'ReLU', config: [] })).toThrow('architecture: config (ReLU): expected an object of options, got []');
    expect(read({ type: 'ReLU', config: {}, kids: {} })).toThrow('architecture: kids: unknown field of a module');
    expect(read({ type: 'Relu', config: {} })).toThrow('architecture: type: unknown module type "Relu" (did you mean "ReLU"?)');
    expect(read({ type: 7 })).toThrow('architecture: type: expected a module type name, got 7');
    expect(read(seq(null))).toThrow('architecture: children.0: expected a module {type, config, children?}, got null');
    expect(read({ type: 'ReLU', config: {}, children: { 0: { type: 'ReLU', config: {} } } })).toThrow('children (ReLU): ReLU is not built from children');
  });

  it('checks Sequential children against their names and positions', () => {
    expect(read({ type: 'Sequential', config: { names: ['a', 'b'] }, children: { a: { type: 'ReLU', config: {} } } })).toThrow(
      'config.names (Sequential): must name exactly the children; no child "b"',
    );
    expect(read({ type: 'Sequential', config: {}, children: { 0: { type: 'ReLU', config: {} }, 2: { type: 'ReLU', config: {} } } })).toThrow(
      'children.2 (Sequential): children of an unnamed Sequential are "0" to "1"',
    );
    // Names that look like numbers keep the saved order.
    const m = nn.moduleFromJson(doc({ type: 'Sequential', config: { names: ['b', 'a'] }, children: { a: { type: 'Tanh', config: {} }, b: { type: 'ReLU', config: {} } } }));
    expect((m as nn.Sequential).names).toEqual(['b', 'a']);
    expect((m as nn.Sequential).layers.map((l) => l.constructor.name)).toEqual(['ReLU', 'Tanh']);
  });

  it('names the module when its constructor refuses the options', () => {
    expect(read(seq({ type: 'Conv2d', config: { inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 } }))).toThrow(
      /^architecture: children\.0 \(Conv2d\): Conv2d\(3, 4\).*groups/,
    );
  });

  it('gives a clear error for 5,000 nested Sequentials, not a stack overflow', () => {
    const n = 5000;
    const deep = `{"format":"deepwasm-model","version":1,"architecture":${'{"type":"Sequential","config":{},"children":{"0":'.repeat(n)}{"type":"ReLU","config":{}}${'}}'.repeat(n)}}`;
    expect(() => nn.moduleFromJson(deep)).toThrow(/architecture file is not valid JSON: nesting deeper than 136 levels \(modules may nest at most 64 deep/);
    // The same as objects: the module check stops at 64 levels.
    let node: unknown = { type: 'ReLU', config: {} };
    for (let i = 0; i < n; i++) node = { type: 'Sequential', config: {}, children: { 0: node } };
    expect(() => nn.moduleFromConfig(node as nn.ModuleConfig)).toThrow(/^architecture: children\.0(\.children\.0){64}: modules nested deeper than 64 levels/);
    // 64 levels are fine.
    node = { type: 'ReLU', config: {} };
    for (let i = 0; i < 63; i++) node = { type: 'Sequential', config: {}, children: { 0: node } };
    expect(nn.moduleFromJson(doc(node)).namedModules().length).toBe(64);
  });

  it('rejects duplicate keys and unknown document fields', () => {
    expect(() => nn.moduleFromJson('{"format":"deepwasm-model","version":1,"version":2,"architecture":{"type":"ReLU","config":{}}}')).toThrow(/duplicate key "version"/);
    expect(() => nn.moduleFromJson('{"format":"deepwasm-model","version":1,"architecture":{"type":"ReLU","config":{}},"extra":0}')).toThrow('unknown field "extra"');
    expect(() => nn.moduleFromJson('{"format":"deepwasm-model","version":2,"architecture":{}}')).toThrow('unsupported version 2');
  });

  it('lets user types declare a schema', () => {
    class Scale extends nn.Module {
      constructor(readonly factor: number) {
        super();
      }
      forward(x: nn.Tensor) {
        return nn.mul(x, this.factor);
      }
      override getConfig(): nn.ModuleConfig {
        return { type: 'TestScale', config: { factor: this.factor } };
      }
    }
    nn.registerModuleType('TestScale', (c) => new Scale(c.factor), { factor: nn.configFields.num({ default: 1 }) });
    expect((nn.moduleFromJson(nn.architectureToJson(new Scale(3))) as Scale).factor).toBe(3);
    expect((nn.moduleFromJson(doc({ type: 'TestScale', config: {} })) as Scale).factor).toBe(1);
    expect(read({ type: 'TestScale', config: { factr: 2 } })).toThrow('config.factr: unknown option for TestScale (did you mean "factor"?)');
  });
});
