/**
 * AveragedModel (torch.optim.swa_utils): the averaged weights after a few SGD steps against the SWA and
 * EMA means written out in float64; the first update copies; buffers follow the model; building the
 * copy leaves the default generator where it was; mismatched models and bad options are refused.
 * Generator.getState / setState return a stream to a point.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

/** A small model with a buffer, trained by SGD on random targets; snapshots of its parameters after each step. */
function trainSnapshots(steps: number, avg: (m: nn.Sequential) => nn.AveragedModel<nn.Sequential>) {
  nn.manualSeed(5);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Linear(4, 2));
  const averaged = avg(model);
  const opt = new nn.SGD(model.parameters(), { lr: 0.1 });
  const x = nn.randn([6, 3]);
  const y = nn.randn([6, 2]);
  const snaps: Float64Array[][] = [];
  for (let s = 0; s < steps; s++) {
    nn.tidy(() => {
      opt.zeroGrad();
      nn.mseLoss(model.forward(x), y).backward();
      opt.step();
    });
    averaged.updateParameters(model);
    snaps.push(model.parameters().map((p) => Float64Array.from(p.toArray())));
  }
  return { model, averaged, snaps, x, y };
}

function expectClose(actual: Float32Array, expected: Float64Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-6 * (1 + Math.abs(expected[i]!));
    expect(Math.abs(actual[i]! - expected[i]!), `${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`).toBeLessThanOrEqual(tol);
  }
}

describe('AveragedModel', () => {
  it('keeps the equal-weight mean of the parameters after each update (SWA)', () => {
    const { model, averaged, snaps } = trainSnapshots(7, (m) => new nn.AveragedModel(m));
    expect(averaged.nAveraged).toBe(7);
    averaged.module.parameters().forEach((p, i) => {
      const mean = new Float64Array(p.size);
      for (const s of snaps) s[i]!.forEach((v, j) => (mean[j]! += v / snaps.length));
      expectClose(p.toArray(), mean, `parameter ${i}`);
    });
    // Buffers are not averaged: the copy has the model's running statistics of the last step.
    const bn = (m: nn.Sequential) => m.namedBuffers().map(([, b]) => Array.from(b.toArray()));
    expect(bn(averaged.module)).toEqual(bn(model));
    expect(averaged.module.training).toBe(false);
    model.dispose();
    averaged.dispose();
  });

  it('keeps an exponential moving average with decay, starting from a copy (EMA)', () => {
    const decay = 0.9;
    const { model, averaged, snaps } = trainSnapshots(6, (m) => new nn.AveragedModel(m, { decay }));
    averaged.module.parameters().forEach((p, i) => {
      const ema = Float64Array.from(snaps[0]![i]!);
      for (const s of snaps.slice(1)) s[i]!.forEach((v, j) => (ema[j] = decay * ema[j]! + (1 - decay) * v));
      expectClose(p.toArray(), ema, `parameter ${i}`);
    });
    // After one update the copy equals the model exactly.
    const one = trainSnapshots(1, (m) => new nn.AveragedModel(m, { decay }));
    one.averaged.module.parameters().forEach((p, i) => expect(Array.from(p.toArray())).toEqual(Array.from(one.snaps[0]![i]!, Math.fround)));
    // The averaged module runs on its own weights.
    const out = nn.noGrad(() => averaged.module.forward(nn.ones([2, 3])));
    expect(out.shape).toEqual([2, 2]);
    for (const m of [model, one.model]) m.dispose();
    averaged.dispose();
    one.averaged.dispose();
  });

  it('leaves the default generator where it was, and refuses other models and bad options', () => {
    nn.manualSeed(3);
    const model = new nn.Linear(5, 3);
    const before = nn.defaultGenerator.getState();
    const averaged = new nn.AveragedModel(model);
    expect(nn.defaultGenerator.getState()).toEqual(before);
    expect(Array.from(averaged.module.weight.toArray())).toEqual(Array.from(model.weight.toArray()));
    const other = new nn.Linear(5, 4);
    expect(() => averaged.updateParameters(other)).toThrow(/AveragedModel.updateParameters: Linear does not have the parameters of the averaged Linear \(weight, bias\)/);
    expect(() => new nn.AveragedModel(model, { decay: 1 })).toThrow(/decay must be a number in \[0, 1\), got 1/);
    expect(() => new nn.AveragedModel(model, { decy: 0.9 } as never)).toThrow(/unknown option "decy"; did you mean "decay"/);
    for (const m of [model, other]) m.dispose();
    averaged.dispose();
  });
});

describe('Generator state', () => {
  it('setState returns the stream to the point getState saw, normals included', () => {
    const g = new nn.Generator(11);
    g.normal();
    const st = g.getState();
    const a = [g.normal(), g.uniform(), g.nextU32(), g.normal()];
    g.setState(st);
    expect([g.normal(), g.uniform(), g.nextU32(), g.normal()]).toEqual(a);
    expect(g.seed).toBe(11);
    expect(() => g.setState({ seed: 1, words: [0, 0, 0, 0], spare: null })).toThrow(/Generator.setState: expected a state from getState/);
    expect(() => g.setState({ seed: 1, words: [1, 2, 3], spare: null })).toThrow(/four 32-bit integers/);
  });
});
