/**
 * Ops that do in one pass what a chain of ops does: gradients by finite differences, and the same
 * values and gradients as the chain they replace (the modules' path).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { exportOnnx } from '../src/onnx/index.js';
import { builds, use } from './setup.js';

const gen = new Generator(23);

/** Distinct values (no ties, so max pooling's gradient is defined), about a third of them negative, none near 0. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = gen.permutation(n);
  return nn.tensor(Float32Array.from(p, (r) => (r - n / 3 + 0.5) * 0.05), shape);
}

/** The values and every input's gradient of fn at the given inputs (fresh leaves), for a fixed output direction. */
function valueAndGrads(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Float32Array[] {
  return nn.tidy(() => {
    const leaves = inputs.map((t) => nn.tensor(t.toArray(), [...t.shape]).requiresGrad_());
    const y = fn(...leaves);
    const w = nn.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)), [...y.shape]);
    nn.sum(nn.mul(y, w)).backward();
    return [y.toArray(), ...leaves.map((l) => l.grad!.toArray())];
  });
}

function sameBits(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Array.from(x), `output ${i}`).toEqual(Array.from(b[i]!)));
}

for (const { isa } of builds) {
  describe(`fused ops (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it.each([
      ['2x2', [2, 3, 6, 6], 2, {}],
      ['2x2 on an odd input', [1, 2, 7, 9], 2, {}],
      ['3x3 stride 2 pad 1 (overlapping)', [1, 2, 7, 7], 3, { stride: 2, padding: 1 }],
    ] as const)('reluMaxPool2d %s: finite differences, and the values and gradients of maxPool2d(relu(x))', (_n, shape, kernel, opts) => {
      nn.tidy(() => {
        const x = distinct([...shape]);
        const r = assertGradCheck((t) => nn.reluMaxPool2d(t, kernel, opts), [x], { name: 'reluMaxPool2d', maxPerInput: 64, eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        expect(r.checked).toBeGreaterThan(0);
        sameBits(
          valueAndGrads((t) => nn.reluMaxPool2d(t, kernel, opts), [x]),
          valueAndGrads((t) => nn.maxPool2d(nn.relu(t), kernel, opts), [x]),
        );
      });
    });

    it('reluMaxPool2d with ties, zeros and NaN gives the chain\'s values and gradients', () => {
      nn.tidy(() => {
        const v = [NaN, -1, 0, 2, 2, -0, 0, -3, 1, 1, -2, -2, 0, 0, -0, -0, 5, NaN, -1, 3];
        const x = nn.tensor(Float32Array.from({ length: 2 * 2 * 6 * 6 }, (_, i) => v[(i * 7) % v.length]!), [2, 2, 6, 6]);
        const fused = valueAndGrads((t) => nn.reluMaxPool2d(t, 2), [x]);
        const chain = valueAndGrads((t) => nn.maxPool2d(nn.relu(t), 2), [x]);
        // Values equal as numbers (a pooled -0 reads +0), NaN where the chain has NaN; gradients bit for bit.
        fused[0]!.forEach((a, i) => expect(Number.isNaN(a) ? Number.isNaN(chain[0]![i]!) : a === chain[0]![i]).toBe(true));
        expect(Array.from(fused[1]!)).toEqual(Array.from(chain[1]!));
      });
    });

    it('Sequential runs ReLU + MaxPool2d as one op, with the modules\' values and gradients', () => {
      nn.tidy(() => {
        nn.manualSeed(3);
        const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
        const pool = new nn.MaxPool2d(2);
        const relu = new nn.ReLU();
        const seq = new nn.Sequential(conv, relu, pool);
        const x = distinct([2, 2, 6, 6]);
        const ops: string[] = [];
        const y = seq.forward(x);
        for (let n = y.node; n !== null; n = n.inputs[0]?.node ?? null) ops.push(n.op);
        expect(ops).toEqual(['reluMaxPool2d', 'conv2d']);
        const grads = (f: () => Tensor): Float32Array[] => {
          seq.zeroGrad();
          const out = f();
          nn.sum(nn.mul(out, out)).backward();
          return [out.toArray(), conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()];
        };
        sameBits(grads(() => seq.forward(x)), grads(() => pool.forward(relu.forward(conv.forward(x)))));
        seq.dispose();
      });
    });

    it.each([
      ['with bias, 2-D input', [5, 7], 6, true],
      ['without bias, 3-D input', [2, 3, 9], 4, false],
    ] as const)('linearRelu %s: finite differences, and the values and gradients of relu(linear(x))', (_n, shape, out, bias) => {
      nn.tidy(() => {
        const x = distinct([...shape]);
        const w = distinct([out, shape[shape.length - 1]!]);
        const b = distinct([out]);
        const args = bias ? [x, w, b] : [x, w];
        const fused = (...t: Tensor[]) => nn.linearRelu(t[0]!, t[1]!, t[2] ?? null);
        const chain = (...t: Tensor[]) => nn.relu(nn.linear(t[0]!, t[1]!, t[2] ?? null));
        const r = assertGradCheck(fused, args, { name: 'linearRelu', maxPerInput: 48, eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        expect(r.checked).toBeGreaterThan(0);
        const got = valueAndGrads(fused, args);
        sameBits(got, valueAndGrads(chain, args));
        // Both sides of the ReLU are exercised.
        expect(got[0]!.some((v) => v > 0) && got[0]!.some((v) => v === 0)).toBe(true);
      });
    });

    it('linearRelu with zeros, -0 and NaN in the product gives the chain\'s values and gradients bit for bit', () => {
      nn.tidy(() => {
        // One input feature and a weight of 1: the product is the input itself (plus a zero bias).
        const v = [NaN, -1, 0, 2, -0, 0.5, -3, NaN, 1e-30, -1e-30, 4, 0];
        const x = nn.tensor(Float32Array.from(v), [v.length, 1]);
        const w = nn.tensor([1, -1], [2, 1]);
        const b = nn.tensor([0, 0], [2]);
        sameBits(
          valueAndGrads((xx, ww, bb) => nn.linearRelu(xx, ww, bb), [x, w, b]),
          valueAndGrads((xx, ww, bb) => nn.relu(nn.linear(xx, ww, bb)), [x, w, b]),
        );
      });
    });

    it('Sequential runs Linear + ReLU as one op, with the modules\' values and gradients', () => {
      nn.tidy(() => {
        nn.manualSeed(4);
        const fc1 = new nn.Linear(7, 5);
        const relu = new nn.ReLU();
        const fc2 = new nn.Linear(5, 3);
        const seq = new nn.Sequential(fc1, relu, fc2);
        const x = distinct([4, 7]);
        const y = seq.forward(x);
        expect(y.node!.op).toBe('linear');
        expect(y.node!.inputs[0]!.node!.op).toBe('linearRelu');
        const grads = (f: () => Tensor): Float32Array[] => {
          seq.zeroGrad();
          const out = f();
          nn.sum(nn.mul(out, out)).backward();
          return [out.toArray(), fc1.weight.grad!.toArray(), fc1.bias!.grad!.toArray(), fc2.weight.grad!.toArray()];
        };
        sameBits(grads(() => seq.forward(x)), grads(() => fc2.forward(relu.forward(fc1.forward(x)))));
        seq.dispose();
      });
    });

    it.each([
      ['with bias', [4, 2, 3, 4], 5, true, 1],
      ['without bias, stride 2', [5, 1, 3, 3], 4, false, 2],
    ] as const)('denseConv2dRelu %s: finite differences, and the values and gradients of relu(conv2d(x))', (_n, shape, oc, bias, stride) => {
      nn.tidy(() => {
        const [, c, h, w] = shape;
        // Small sums (a few features of about 0.5): float32 finite differences stay accurate.
        const x = nn.randn([...shape], { generator: gen }).mul(0.5);
        const wt = nn.randn([oc, c, h, w], { generator: gen }).mul(0.5);
        const b = nn.randn([oc], { generator: gen }).mul(0.5);
        const args = bias ? [x, wt, b] : [x, wt];
        const fused = (...t: Tensor[]) => nn.denseConv2dRelu(t[0]!, t[1]!, t[2] ?? null);
        const chain = (...t: Tensor[]) => nn.relu(nn.conv2d(t[0]!, t[1]!, t[2] ?? null, { stride }));
        const r = assertGradCheck(fused, args, { name: 'denseConv2dRelu', maxPerInput: 48, eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        expect(r.checked).toBeGreaterThan(0);
        const got = valueAndGrads(fused, args);
        sameBits(got, valueAndGrads(chain, args));
        expect(got[0]!.some((v) => v > 0) && got[0]!.some((v) => v === 0)).toBe(true);
        expect(() => nn.denseConv2dRelu(x, distinct([oc, c, h - 1, w]))).toThrow(/must cover the whole of input/);
      });
    });

    it('Sequential runs a dense Conv2d + ReLU as one op (LeNet-5\'s C5), other convolutions as before, with the modules\' values and gradients', () => {
      nn.tidy(() => {
        nn.manualSeed(5);
        const c1 = new nn.Conv2d(2, 3, 3, { padding: 1 });
        const c5 = new nn.Conv2d(3, 4, 3);
        const layers = [c1, new nn.ReLU(), new nn.MaxPool2d(2), c5, new nn.ReLU(), new nn.Flatten(), new nn.Linear(4, 2)];
        const seq = new nn.Sequential(...layers);
        const x = distinct([2, 2, 6, 6]);
        const ops: string[] = [];
        for (let n = seq.forward(x).node; n !== null; n = n.inputs[0]?.node ?? null) ops.push(n.op);
        expect(ops).toEqual(['linear', 'reshape', 'denseConv2dRelu', 'reluMaxPool2d', 'conv2d']);
        const grads = (f: () => Tensor): Float32Array[] => {
          seq.zeroGrad();
          const out = f();
          nn.sum(nn.mul(out, out)).backward();
          return [out.toArray(), c1.weight.grad!.toArray(), c5.weight.grad!.toArray(), c5.bias!.grad!.toArray()];
        };
        const unfused = () => layers.reduce((y, m) => m.forward(y), x);
        sameBits(grads(() => seq.forward(x)), grads(unfused));
        // A Conv2d + ReLU that is not dense runs as the two ops.
        const other = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.ReLU());
        expect(other.forward(x).node!.op).toBe('relu');
        seq.dispose();
        other.dispose();
      });
    });

    it.each([
      ['reluMaxPool2d 2x2 (tiled, one pass)', (y: Tensor) => nn.reluMaxPool2d(y, 2), [2, 2, 9, 10]],
      ['maxPool2d 2x2 on an odd output (a row and a column past the last window)', (y: Tensor) => nn.maxPool2d(y, 2), [2, 2, 8, 9]],
      ['reluMaxPool2d 3x3 stride 2 pad 1 (overlapping: fill and scatter)', (y: Tensor) => nn.reluMaxPool2d(y, 3, { stride: 2, padding: 1 }), [1, 2, 8, 8]],
    ] as const)('a convolution\'s bias gradient from the pooling\'s plane sums, %s: finite differences, and the unfused path\'s bits', (_n, pool, shape) => {
      nn.tidy(() => {
        const x = distinct([...shape]);
        const w = distinct([3, shape[1], 3, 3]);
        const b = nn.tensor([0.3, -0.2, 0.05], [3]);
        const f = (xx: Tensor, ww: Tensor, bb: Tensor) => pool(nn.conv2d(xx, ww, bb, { padding: 1 }));
        // Finite differences of the bias alone: moving a channel's bias moves its whole plane, so no
        // window changes its winner (x's and w's gradients are those of the unfused path, below).
        const r = assertGradCheck((bb) => f(x, w, bb), [b], { name: 'conv2d + pooling (bias)', eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        expect(r.checked).toBe(3);
        const withGrad = nn.tensor(b.toArray(), [3]).requiresGrad_();
        expect(f(x, w, withGrad).node!.inputs[0]!.node!.usesPlaneSums).toBe(true);
        // The pooling sums the planes only for the convolution right before it: through an op in
        // between (here + 0) the convolution sums its gradient itself. The same bits either way.
        const fused = valueAndGrads(f, [x, w, b]);
        sameBits(fused, valueAndGrads((xx, ww, bb) => pool(nn.add(nn.conv2d(xx, ww, bb, { padding: 1 }), 0)), [x, w, b]));
        expect(fused[3]!.some((v) => v !== 0)).toBe(true);
      });
    });

    it.each([
      ['mean', {}],
      ['sum', { reduction: 'sum' }],
      ['none', { reduction: 'none' }],
      ['mean with ignored rows', { ignoreIndex: 2 }],
      ['none with ignored rows', { reduction: 'none', ignoreIndex: 2 }],
    ] as const)('crossEntropy with class labels (%s): finite differences, and logSoftmax + nllLoss\'s values and gradients', (_n, opts) => {
      nn.tidy(() => {
        const logits = nn.randn([9, 7], { generator: gen }).mul(3);
        const labels = Array.from({ length: 9 }, (_, i) => (i * 5) % 7);
        const r = assertGradCheck((t) => nn.crossEntropy(t, labels, opts), [logits], { name: 'crossEntropy', eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        const fused = valueAndGrads((t) => nn.crossEntropy(t, labels, opts), [logits]);
        const chain = valueAndGrads((t) => nn.nllLoss(nn.logSoftmax(t, 1), labels, opts), [logits]);
        fused[0]!.forEach((v, i) => expect(v).toBeCloseTo(chain[0]![i]!, 5));
        expect(Array.from(fused[1]!)).toEqual(Array.from(chain[1]!));
        const y = nn.crossEntropy(logits.requiresGrad_(), labels, opts);
        expect(y.node!.op).toBe('crossEntropy');
        expect(y.shape).toEqual('reduction' in opts && opts.reduction === 'none' ? [9] : []);
      });
    });

    it('a leaf adopts its fresh gradient: right values, accumulation over two backward passes, no aliasing', () => {
      nn.tidy(() => {
        nn.manualSeed(5);
        const fc = new nn.Linear(4, 4);
        const x = nn.randn([3, 4]);
        // The layer twice: each weight gets two gradients, summed before the leaf sees them.
        const r = assertGradCheck((w, b) => nn.linear(nn.relu(nn.linear(x, w, b)), w, b), [fc.weight, fc.bias!], { name: 'linear twice', eps: 1e-3 });
        expect(r.mismatches).toEqual([]);
        fc.zeroGrad();
        nn.sum(nn.square(fc.forward(x))).backward();
        const once = [fc.weight.grad!.toArray(), fc.bias!.grad!.toArray()];
        expect(fc.weight.grad!.isKept).toBe(true);
        nn.sum(nn.square(fc.forward(x))).backward();
        expect(Array.from(fc.weight.grad!.toArray())).toEqual(Array.from(once[0]!, (v) => v * 2));
        expect(Array.from(fc.bias!.grad!.toArray())).toEqual(Array.from(once[1]!, (v) => v * 2));
        // Two leaves fed the same gradient tensor (a + b) each get their own copy.
        const a = nn.zeros([2, 2]).requiresGrad_();
        const b = nn.zeros([2, 2]).requiresGrad_();
        nn.sum(nn.mul(nn.add(a, b), nn.tensor([1, 2, 3, 4], [2, 2]))).backward();
        expect(a.grad!.ptr).not.toBe(b.grad!.ptr);
        a.grad!.fill_(0);
        expect(Array.from(b.grad!.toArray())).toEqual([1, 2, 3, 4]);
        fc.dispose();
      });
    });

    it('an ONNX export of Sequential still records the ReLU and the MaxPool', () => {
      nn.manualSeed(4);
      const seq = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.MaxPool2d(2));
      const bytes = nn.tidy(() => exportOnnx(seq, nn.randn([1, 1, 6, 6])));
      const text = new TextDecoder('latin1').decode(bytes);
      expect(text).toContain('Relu');
      expect(text).toContain('MaxPool');
      seq.dispose();
    });
  });
}
