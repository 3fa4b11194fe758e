/**
 * fusedConvBn: in eval mode without gradients, one op (weights prepared once, batch norm, residual and
 * ReLU in the epilogue) equal to composing the modules on every kernel path (bit for bit on the plain
 * build for the GEMM and Winograd paths); rebuilt when weights or statistics change; the modules
 * themselves (gradients checked) while training or recording gradients.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { convInferenceForm, winogradApplies, type Conv2dGeometry } from '@deepwasm/kernels';
import { builds, use } from './setup.js';

const gen = new Generator(23);
const randn = (shape: number[]): Tensor => nn.randn(shape, { generator: gen });

/** A conv + batch norm with statistics that are not the defaults. */
function pair(inC: number, outC: number, k: number, opts: { stride?: number; padding?: number; bias?: boolean; groups?: number } = {}) {
  const conv = new nn.Conv2d(inC, outC, k, { bias: false, generator: gen, ...opts });
  const bn = new nn.BatchNorm2d(outC);
  bn.runningMean!.copy_(nn.mul(randn([outC]), 0.3));
  bn.runningVar!.copy_(nn.add(nn.rand([outC], { generator: gen }), 0.5));
  bn.weight!.copy_(nn.add(randn([outC]), 1));
  bn.bias!.copy_(randn([outC]));
  conv.eval();
  bn.eval();
  return { conv, bn };
}

/** got within 1e-5 of want's largest magnitude, element by element. */
function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  const scale = Math.max(...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 * scale)) throw new Error(`${what}: [${i}] expected ${want[i]}, got ${got[i]}`);
  }
}

function composed(conv: nn.Conv2d, bn: nn.BatchNorm2d, x: Tensor, residual: Tensor | null, relu: boolean): Float32Array {
  return nn.noGrad(() => {
    let y = bn.forward(conv.forward(x));
    if (residual) y = nn.add(y, residual);
    return (relu ? nn.relu(y) : y).toArray() as unknown as Float32Array;
  });
}

// [name, in, out, kernel, options, input [N, C, H, W], the path conv2dInference takes]
const CASES: Array<[string, number, number, number, { stride?: number; padding?: number; bias?: boolean; groups?: number }, number[], string]> = [
  ['1x1 (the image is the GEMM operand)', 20, 36, 1, {}, [1, 20, 7, 9], 'packed'],
  ['1x1 stride 2, batch 2, with bias', 12, 10, 1, { stride: 2, bias: true }, [2, 12, 9, 8], 'packed'],
  ['3x3 on 5x5 at batch 1 (im2col)', 16, 20, 3, { padding: 1 }, [1, 16, 5, 5], 'packed'],
  ['3x3 on 7x7 at batch 1 (Winograd, filters packed once)', 16, 20, 3, { padding: 1 }, [1, 16, 7, 7], 'winograd'],
  ['3x3 on 7x7 at batch 3 (Winograd F(2x2), as training takes it)', 16, 24, 3, { padding: 1 }, [3, 16, 7, 7], 'winograd'],
  ['3x3 on 12x12 (Winograd F(4x4), the epilogue in its output transform)', 16, 24, 3, { padding: 1 }, [2, 16, 12, 12], 'winograd4'],
  ['3x3 stride 2 (pixels-major, weight panels packed once)', 16, 12, 3, { stride: 2, padding: 1 }, [1, 16, 40, 40], 'pixels'],
  ['3 input channels (direct)', 3, 8, 3, { padding: 1 }, [1, 3, 10, 12], 'plain'],
  ['groups 2', 8, 6, 3, { padding: 1, groups: 2 }, [1, 8, 6, 6], 'plain'],
];

for (const { isa } of builds) {
  describe(`fusedConvBn (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it.each(CASES)('%s equals conv -> batch norm (-> + residual -> ReLU)', (_name, inC, outC, k, opts, shape, form) => {
      const { conv, bn } = pair(inC, outC, k, opts);
      const x = randn(shape);
      const out = nn.noGrad(() => conv.forward(x));
      const g: Conv2dGeometry = {
        N: shape[0]!, C: inC, H: shape[2]!, W: shape[3]!, OC: outC, KH: k, KW: k, strideH: opts.stride ?? 1, strideW: opts.stride ?? 1,
        padH: opts.padding ?? 0, padW: opts.padding ?? 0, dilationH: 1, dilationW: 1, groups: opts.groups ?? 1,
      };
      expect(convInferenceForm(g)).toBe(form);
      // The modules' convolution makes the same sums: the GEMM and pixels-major paths, and Winograd where training's threshold takes it too.
      const sameSums = !opts.bias && (form === 'packed' || form === 'pixels' || (form === 'winograd' && winogradApplies(g)));
      const residual = randn([...out.shape]);
      for (const [r, relu] of [[null, false], [null, true], [residual, false], [residual, true]] as const) {
        const want = composed(conv, bn, x, r, relu);
        const got = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { residual: r, relu }).toArray());
        expectClose(_name, got, want);
        // The plain build: the composition's bits where the convolution's sums are the same.
        if (isa === 'simd128' && sameSums) expect(Array.from(got)).toEqual(Array.from(want));
      }
      conv.dispose();
      bn.dispose();
    });

    it('rebuilds its prepared weights when the weights or statistics change, and leaves training alone', () => {
      const { conv, bn } = pair(16, 16, 3, { padding: 1 });
      const x = randn([1, 16, 12, 12]);
      const before = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true }).toArray());
      // An optimizer step on the weight.
      conv.weight.grad = nn.mul(nn.onesLike(conv.weight), 0.01).keep();
      new nn.SGD([conv.weight], { lr: 1 }).step();
      const afterStep = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true }).toArray());
      expect(afterStep).not.toEqual(before);
      expectClose('after a step', afterStep, composed(conv, bn, x, null, true));
      // Training mode: batch statistics (the modules run), and the running statistics move.
      bn.train();
      conv.train();
      const trained = nn.fusedConvBn(conv, bn, randn([4, 16, 12, 12]), { relu: true });
      expect(trained.requiresGrad || trained.node !== null).toBe(true);
      bn.eval();
      conv.eval();
      const afterStats = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true }).toArray());
      expectClose('after training', afterStats, composed(conv, bn, x, null, true));
      // loadStateDict of the batch norm.
      const state = new Map([...bn.stateDict()].map(([name, t]) => [name, name === 'bias' ? nn.add(t, 1) : t] as const));
      bn.loadStateDict(state);
      const afterLoad = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true }).toArray());
      expectClose('after loadStateDict', afterLoad, composed(conv, bn, x, null, true));
      conv.dispose();
      bn.dispose();
    });

    it('records gradients through the modules (finite differences), in training and in eval mode', () => {
      for (const training of [true, false]) {
        const { conv, bn } = pair(3, 4, 3, { padding: 1 });
        conv.train(training);
        bn.train(training);
        // Its own generator, so the points (which must stay off ReLU's kink) do not depend on the tests before.
        const own = new Generator(29);
        const x = nn.randn([2, 3, 5, 5], { generator: own }).requiresGrad_();
        const r = nn.randn([2, 4, 5, 5], { generator: own }).requiresGrad_();
        nn.tidy(() => {
          // ReLU's kink only in eval mode (batch statistics spread a finite difference over every output).
          const res = assertGradCheck((a, b) => nn.fusedConvBn(conv, bn, a, { residual: b, relu: !training }), [x, r], {
            name: `fusedConvBn training=${training}`, maxPerInput: 48, atol: 3e-3,
          });
          expect(res.mismatches).toEqual([]);
        });
        conv.dispose();
        bn.dispose();
      }
    });

    it('runs in a Sequential: Conv2d + eval BatchNorm2d (+ ReLU) (+ MaxPool2d) fused, the modules while training', () => {
      const { conv, bn } = pair(3, 8, 7, { stride: 2, padding: 3 });
      const pool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
      const withRelu = new nn.Sequential({ conv1: conv, bn1: bn, relu: new nn.ReLU(), maxpool: pool });
      const pooled = (y: Tensor) => nn.noGrad(() => pool.forward(y).toArray());
      // 30x30: conv2dInference then the pooling; 40x40 (a 20x20 output): ResNet's stem route, the batch norm, ReLU and
      // pooling in one pass over the pixels-major product (the plain build: the modules' bits).
      for (const [size, out] of [[30, 15], [40, 20]] as const) {
        const x = randn([1, 3, size, size]);
        const want = pooled(nn.tensor(composed(conv, bn, x, null, true), [1, 8, out, out]));
        for (const got of [nn.noGrad(() => withRelu.forward(x).toArray()), nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true, maxPool: pool }).toArray())]) {
          expectClose('conv, bn, relu, pool', got, want);
          if (isa === 'simd128') expect(Array.from(got)).toEqual(Array.from(want));
        }
      }
      const x = randn([1, 3, 30, 30]);
      const noRelu = new nn.Sequential(conv, bn);
      expectClose('conv, bn', nn.noGrad(() => noRelu.forward(x).toArray()), composed(conv, bn, x, null, false));
      // Training: the batch statistics move, as the modules do.
      withRelu.train();
      const before = bn.runningMean!.toArray();
      withRelu.forward(randn([2, 3, 30, 30]));
      expect(bn.runningMean!.toArray()).not.toEqual(before);
      withRelu.dispose();
    });

    it('keeps a plan per layer: input shapes and routes that change from call to call, and bad shapes still refused', () => {
      const { conv, bn } = pair(16, 20, 3, { padding: 1 });
      // 12x12: F(4x4); 7x7 at batch 1: F(2x2) with packed filters; 5x5 at batch 2: im2col; back to 12x12.
      for (const shape of [[1, 16, 12, 12], [1, 16, 7, 7], [2, 16, 5, 5], [1, 16, 12, 12], [1, 16, 12, 12]]) {
        const x = randn(shape);
        const got = nn.noGrad(() => nn.fusedConvBn(conv, bn, x, { relu: true }).toArray());
        expectClose(`input [${shape.join(', ')}]`, got, composed(conv, bn, x, null, true));
      }
      const { conv: valid, bn: bn2 } = pair(16, 8, 3);
      nn.noGrad(() => nn.fusedConvBn(valid, bn2, randn([1, 16, 6, 6])));
      expect(() => nn.noGrad(() => nn.fusedConvBn(valid, bn2, randn([1, 16, 2, 2])))).toThrow(/Conv2d\(16, 8\): a 3x3 kernel .* does not fit a 2x2 input/);
      for (const m of [conv, bn, valid, bn2]) m.dispose();
    });

    it('refuses a residual of another shape, naming both', () => {
      const { conv, bn } = pair(4, 6, 1);
      expect(() => nn.noGrad(() => nn.fusedConvBn(conv, bn, randn([1, 4, 5, 5]), { residual: randn([1, 6, 4, 5]) }))).toThrow(
        /fusedConvBn: residual \[1, 6, 4, 5\] does not match the convolution's output \[1, 6, 5, 5\]/,
      );
    });
  });
}
