/**
 * Optimizers against PyTorch's update rules, written out again here in float64 (independently of
 * the kernels), on a least-squares problem: 25 steps, trajectories equal to 1e-5. Gradients on the
 * JS side are analytic (2/n Aᵀ(Aw − y)); on ours they come from autograd.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Generator, type Tensor } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

const ROWS = 8;
const COLS = 5;
const g = new Generator(21);
const A = Float64Array.from({ length: ROWS * COLS }, () => Math.fround(g.normal()));
const Y = Float64Array.from({ length: ROWS }, () => Math.fround(g.normal()));
const W0 = Float64Array.from({ length: COLS }, () => Math.fround(g.normal() * 0.5));

function gradAt(w: Float64Array): Float64Array {
  const r = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    let s = -Y[i]!;
    for (let j = 0; j < COLS; j++) s += A[i * COLS + j]! * w[j]!;
    r[i] = s;
  }
  const out = new Float64Array(COLS);
  for (let j = 0; j < COLS; j++) {
    let s = 0;
    for (let i = 0; i < ROWS; i++) s += A[i * COLS + j]! * r[i]!;
    out[j] = (2 / ROWS) * s;
  }
  return out;
}

type Rule = (w: Float64Array, grad: Float64Array, t: number, state: Record<string, Float64Array>) => void;

function st(state: Record<string, Float64Array>, name: string, init = 0): Float64Array {
  return (state[name] ??= new Float64Array(COLS).fill(init));
}

/** torch.optim.SGD's documented algorithm. */
const sgdRule = (lr: number, momentum = 0, dampening = 0, wd = 0, nesterov = false): Rule => (w, grad, t, s) => {
  for (let j = 0; j < COLS; j++) {
    let d = grad[j]! + wd * w[j]!;
    if (momentum !== 0) {
      const b = st(s, 'b');
      b[j] = t === 1 ? d : momentum * b[j]! + (1 - dampening) * d;
      d = nesterov ? d + momentum * b[j]! : b[j]!;
    }
    w[j] = w[j]! - lr * d;
  }
};

/** torch.optim.Adam / AdamW. */
const adamRule = (lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0, amsgrad = false, decoupled = false): Rule => (w, grad, t, s) => {
  const m = st(s, 'm');
  const v = st(s, 'v');
  const vmax = st(s, 'vmax');
  for (let j = 0; j < COLS; j++) {
    let gj = grad[j]!;
    if (decoupled) w[j] = w[j]! * (1 - lr * wd);
    else gj += wd * w[j]!;
    m[j] = b1 * m[j]! + (1 - b1) * gj;
    v[j] = b2 * v[j]! + (1 - b2) * gj * gj;
    const mhat = m[j]! / (1 - b1 ** t);
    let vv = v[j]!;
    if (amsgrad) vv = vmax[j] = Math.max(vmax[j]!, vv);
    const vhat = vv / (1 - b2 ** t);
    w[j] = w[j]! - (lr * mhat) / (Math.sqrt(vhat) + eps);
  }
};

/** torch.optim.Adagrad. */
const adagradRule = (lr: number, lrDecay = 0, wd = 0, init = 0, eps = 1e-10): Rule => (w, grad, t, s) => {
  const sum = st(s, 'sum', init);
  const clr = lr / (1 + (t - 1) * lrDecay);
  for (let j = 0; j < COLS; j++) {
    const gj = grad[j]! + wd * w[j]!;
    sum[j] = sum[j]! + gj * gj;
    w[j] = w[j]! - (clr * gj) / (Math.sqrt(sum[j]!) + eps);
  }
};

/** torch.optim.RMSprop. */
const rmspropRule = (lr: number, alpha = 0.99, eps = 1e-8, wd = 0, momentum = 0, centered = false): Rule => (w, grad, _t, s) => {
  const sq = st(s, 'sq');
  const ga = st(s, 'ga');
  const b = st(s, 'b');
  for (let j = 0; j < COLS; j++) {
    const gj = grad[j]! + wd * w[j]!;
    sq[j] = alpha * sq[j]! + (1 - alpha) * gj * gj;
    let avg: number;
    if (centered) {
      ga[j] = alpha * ga[j]! + (1 - alpha) * gj;
      avg = Math.sqrt(sq[j]! - ga[j]! * ga[j]!) + eps;
    } else {
      avg = Math.sqrt(sq[j]!) + eps;
    }
    if (momentum > 0) {
      b[j] = momentum * b[j]! + gj / avg;
      w[j] = w[j]! - lr * b[j]!;
    } else {
      w[j] = w[j]! - (lr * gj) / avg;
    }
  }
};

/** torch.optim.Adadelta. */
const adadeltaRule = (lr = 1, rho = 0.9, eps = 1e-6, wd = 0): Rule => (w, grad, _t, s) => {
  const sq = st(s, 'sq');
  const acc = st(s, 'acc');
  for (let j = 0; j < COLS; j++) {
    const gj = grad[j]! + wd * w[j]!;
    sq[j] = rho * sq[j]! + (1 - rho) * gj * gj;
    const delta = (Math.sqrt(acc[j]! + eps) / Math.sqrt(sq[j]! + eps)) * gj;
    acc[j] = rho * acc[j]! + (1 - rho) * delta * delta;
    w[j] = w[j]! - lr * delta;
  }
};

function referenceTrajectory(rule: Rule, steps: number): Float64Array[] {
  const w = Float64Array.from(W0);
  const state: Record<string, Float64Array> = {};
  const out: Float64Array[] = [];
  for (let t = 1; t <= steps; t++) {
    rule(w, gradAt(w), t, state);
    out.push(Float64Array.from(w));
  }
  return out;
}

function ourTrajectory(make: (params: Tensor[]) => nn.Optimizer<nn.BaseOptions>, steps: number): Float64Array[] {
  const a = nn.tensor(Float32Array.from(A), [ROWS, COLS]).keep();
  const y = nn.tensor(Float32Array.from(Y), [ROWS]).keep();
  const w = nn.tensor(Float32Array.from(W0), [COLS], { requiresGrad: true }).keep();
  const opt = make([w]);
  const out: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    nn.tidy(() => {
      opt.zeroGrad();
      nn.mean(nn.square(nn.sub(nn.matmul(a, w), y))).backward();
      opt.step();
    });
    out.push(Float64Array.from(w.data));
  }
  return out;
}

function expectSame(ours: Float64Array[], ref: Float64Array[]): void {
  ref.forEach((want, t) => {
    want.forEach((v, j) => {
      const got = ours[t]![j]!;
      if (!(Math.abs(got - v) <= 1e-5 * Math.max(1, Math.abs(v)))) {
        throw new Error(`step ${t + 1}, w[${j}]: PyTorch's rule gives ${v}, ours ${got}`);
      }
    });
  });
}

const cases: Array<[string, (p: Tensor[]) => nn.Optimizer<nn.BaseOptions>, Rule]> = [
  ['SGD', (p) => new nn.SGD(p, { lr: 0.05 }), sgdRule(0.05)],
  ['SGD momentum', (p) => new nn.SGD(p, { lr: 0.05, momentum: 0.9 }), sgdRule(0.05, 0.9)],
  ['SGD momentum + dampening + weight decay', (p) => new nn.SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.05 }), sgdRule(0.05, 0.8, 0.3, 0.05)],
  ['SGD Nesterov', (p) => new nn.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }), sgdRule(0.05, 0.9, 0, 0, true)],
  ['Adagrad', (p) => new nn.Adagrad(p, { lr: 0.1 }), adagradRule(0.1)],
  ['Adagrad lr decay + weight decay + initial accumulator', (p) => new nn.Adagrad(p, { lr: 0.1, lrDecay: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.1 }), adagradRule(0.1, 0.05, 0.01, 0.1)],
  ['RMSprop', (p) => new nn.RMSprop(p, { lr: 0.01 }), rmspropRule(0.01)],
  ['RMSprop centered + momentum + weight decay', (p) => new nn.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 }), rmspropRule(0.01, 0.99, 1e-8, 0.01, 0.5, true)],
  ['Adadelta', (p) => new nn.Adadelta(p), adadeltaRule()],
  ['Adadelta lr + weight decay', (p) => new nn.Adadelta(p, { lr: 0.5, rho: 0.8, weightDecay: 0.1 }), adadeltaRule(0.5, 0.8, 1e-6, 0.1)],
  ['Adam', (p) => new nn.Adam(p, { lr: 0.05 }), adamRule(0.05)],
  ['Adam AMSGrad + weight decay', (p) => new nn.Adam(p, { lr: 0.05, betas: [0.8, 0.99], amsgrad: true, weightDecay: 0.1 }), adamRule(0.05, 0.8, 0.99, 1e-8, 0.1, true)],
  ['AdamW', (p) => new nn.AdamW(p, { lr: 0.05 }), adamRule(0.05, 0.9, 0.999, 1e-8, 0.01, false, true)],
];

describe('optimizer trajectories equal PyTorch\'s update rules over 25 steps', () => {
  it.each(cases)('%s', (_name, make, rule) => {
    expectSame(ourTrajectory(make, 25), referenceTrajectory(rule, 25));
  });

  it('all of them actually reduce the loss', () => {
    for (const [, , rule] of cases) {
      const traj = referenceTrajectory(rule, 25);
      const loss = (w: Float64Array) => gradAt(w).reduce((s, v) => s + v * v, 0);
      expect(loss(traj[24]!)).toBeLessThan(loss(W0));
    }
  });
});

describe('optimizer state', () => {
  it('updates parameters at different step counts (one skipped a step) as separate optimizers would', () => {
    const run = (together: boolean) => {
      nn.manualSeed(3);
      const a = nn.randn([37]).requiresGrad_().keep();
      const b = nn.randn([5, 3]).requiresGrad_().keep();
      const opts = { lr: 0.05, weightDecay: 0.01 };
      const opt = together ? [new nn.Adam([a, b], opts)] : [new nn.Adam([a], opts), new nn.Adam([b], opts)];
      for (let i = 0; i < 6; i++) {
        for (const o of opt) o.zeroGrad();
        // b gets no gradient at step 2, so a and b are at different steps from then on.
        const loss = i === 2 ? a.mul(a).sum() : a.mul(a).sum().add(b.mul(b).mul(3).sum());
        loss.backward();
        for (const o of opt) o.step();
      }
      return [...a.toArray(), ...b.toArray()];
    };
    expect(run(true)).toEqual(run(false));
  });

  it('resumes exactly from a stateDict (10 + 10 steps == 20 steps)', () => {
    const make = (p: Tensor[]) => new nn.Adam(p, { lr: 0.05, amsgrad: true });
    const straight = ourTrajectory(make, 20);
    const a = nn.tensor(Float32Array.from(A), [ROWS, COLS]);
    const y = nn.tensor(Float32Array.from(Y), [ROWS]);
    const w = nn.tensor(Float32Array.from(W0), [COLS], { requiresGrad: true });
    const stepWith = (opt: nn.Optimizer<nn.BaseOptions>) =>
      nn.tidy(() => {
        opt.zeroGrad();
        nn.mean(nn.square(nn.sub(nn.matmul(a, w), y))).backward();
        opt.step();
      });
    const first = make([w]);
    for (let i = 0; i < 10; i++) stepWith(first);
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    const second = make([w]);
    second.loadStateDict(saved);
    for (let i = 0; i < 10; i++) stepWith(second);
    expect(Array.from(w.data)).toEqual(Array.from(Float32Array.from(straight[19]!)));
  });

  it('keeps per-group options and validates them', () => {
    const p1 = nn.zeros([2], { requiresGrad: true });
    const p2 = nn.zeros([3], { requiresGrad: true });
    const opt = new nn.SGD([{ params: [p1] }, { params: [p2], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    expect(opt.paramGroups[1]!.momentum).toBe(0.9);
    expect(() => new nn.SGD([p1], { lr: -1 })).toThrow('SGD: invalid lr -1');
    expect(() => new nn.SGD([p1], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum/);
    expect(() => new nn.Adam([p1], { betas: [1, 0.9] })).toThrow('Adam: invalid beta1 1');
    expect(() => new nn.SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [] })).toThrow(/0 parameter groups saved, 2 here/);
  });
});

describe('learning-rate schedules and clipping', () => {
  it('follow PyTorch\'s closed forms', () => {
    const p = nn.zeros([1], { requiresGrad: true });
    const o1 = new nn.SGD([p], { lr: 1 });
    const exp = new nn.ExponentialLR(o1, 0.9);
    const o2 = new nn.SGD([p], { lr: 1 });
    const stepLr = new nn.StepLR(o2, 3, 0.5);
    const o3 = new nn.SGD([p], { lr: 1 });
    const cos = new nn.CosineAnnealingLR(o3, 10, 0.1);
    for (let e = 1; e <= 12; e++) {
      exp.step();
      stepLr.step();
      cos.step();
      expect(o1.lr).toBeCloseTo(0.9 ** e, 12);
      expect(o2.lr).toBeCloseTo(0.5 ** Math.floor(e / 3), 12);
      expect(cos.getLastLr()[0]).toBeCloseTo(0.1 + (0.9 * (1 + Math.cos((Math.PI * e) / 10))) / 2, 12);
    }
  });

  it('clip by total norm and by value', () => {
    const a = nn.zeros([2], { requiresGrad: true });
    const b = nn.zeros([1], { requiresGrad: true });
    nn.add(nn.sum(nn.mul(a, nn.tensor([3, 4]))), nn.sum(nn.mul(b, 12))).backward();
    const norm = nn.clipGradNorm_([a, b], 6.5);
    expect(norm).toBeCloseTo(13, 6);
    expect(Array.from(a.grad!.data).map((v) => +v.toFixed(5))).toEqual([1.5, 2]);
    expect(b.grad!.data[0]).toBeCloseTo(6, 5);
    expect(nn.clipGradNorm_([a, b], 100)).toBeCloseTo(6.5, 5);
    expect(nn.clipGradNorm_([a, b], 100, Infinity)).toBeCloseTo(6, 5);
    nn.clipGradValue_([a, b], 1.8);
    expect(a.grad!.data[0]).toBeCloseTo(1.5, 5);
    expect(a.grad!.data[1]).toBe(Math.fround(1.8));
    expect(b.grad!.data[0]).toBeCloseTo(1.8, 6);
  });
});
