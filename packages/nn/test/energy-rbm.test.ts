/**
 * RBM against its definitions by brute force on models small enough to enumerate: energies, free
 * energies, conditionals, log Z, pseudo-likelihood; CD-k's gradient against the exact log-likelihood
 * gradient with long chains; AIS against the exact log Z; seeded runs bit-identical.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Generator, RBM, type Tensor } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

/** All 2^n binary vectors as arrays. */
function states(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, s) => Array.from({ length: n }, (_, j) => (s >> j) & 1));
}

function params(rbm: RBM): { W: Float32Array; b: Float32Array; c: Float32Array } {
  return { W: rbm.weight.toArray(), b: rbm.visibleBias.toArray(), c: rbm.hiddenBias.toArray() };
}

/** E(v, h) from the definition, float64. */
function energyOf(rbm: RBM, v: number[], h: number[]): number {
  const { W, b, c } = params(rbm);
  const V = rbm.nVisible;
  let e = 0;
  for (let j = 0; j < h.length; j++) {
    e -= c[j]! * h[j]!;
    for (let i = 0; i < V; i++) e -= h[j]! * W[j * V + i]! * v[i]!;
  }
  for (let i = 0; i < V; i++) e += rbm.visible === 'binary' ? -b[i]! * v[i]! : 0.5 * (v[i]! - b[i]!) ** 2;
  return e;
}

const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

function randomRBM(V: number, H: number, seed: number, visible: 'binary' | 'gaussian' = 'binary', std = 1): RBM {
  const g = new Generator(seed);
  const rbm = new RBM(V, H, { visible, initStd: std, generator: g });
  nn.init.normal_(rbm.visibleBias, 0, visible === 'binary' ? 1 : 0.5, g);
  nn.init.normal_(rbm.hiddenBias, 0, 1, g);
  return rbm;
}

const rows = (xs: number[][]): Tensor => nn.fromArray(xs.flat(), [xs.length, xs[0]!.length]);

describe('RBM by brute force', () => {
  it('energy, free energy and both conditionals match their definitions (binary and Gaussian visible units)', () => {
    for (const visible of ['binary', 'gaussian'] as const) {
      const rbm = randomRBM(5, 3, 1, visible);
      const vs = visible === 'binary' ? states(5) : Array.from({ length: 8 }, (_, r) => Array.from({ length: 5 }, (_, i) => Math.sin(r * 5 + i) * 2));
      const hs = states(3);
      const v = rows(vs);
      const F = rbm.freeEnergy(v).toArray();
      const ph = rbm.hiddenProbabilities(v).toArray();
      vs.forEach((vv, r) => {
        const logs = hs.map((h) => -energyOf(rbm, vv, h));
        expect(F[r]).toBeCloseTo(-lse(logs), 4);
        for (let j = 0; j < 3; j++) {
          const pj = Math.exp(lse(hs.filter((h) => h[j] === 1).map((h) => -energyOf(rbm, vv, h))) - lse(logs));
          expect(ph[r * 3 + j]).toBeCloseTo(pj, 5);
        }
        const e = rbm.energy(rows([vv]), rows([hs[5]!])).item();
        expect(e).toBeCloseTo(energyOf(rbm, vv, hs[5]!), 4);
      });
      if (visible === 'binary') {
        const pv = rbm.visibleProbabilities(rows(hs)).toArray();
        hs.forEach((h, r) => {
          const logs = vs.map((vv) => -energyOf(rbm, vv, h));
          for (let i = 0; i < 5; i++) {
            const pi = Math.exp(lse(vs.filter((vv) => vv[i] === 1).map((vv) => -energyOf(rbm, vv, h))) - lse(logs));
            expect(pv[r * 5 + i]).toBeCloseTo(pi, 5);
          }
        });
      }
    }
  });

  it('exact log Z enumerating either layer matches the double sum; Gaussian log Z matches quadrature', () => {
    for (const [V, H] of [[5, 3], [3, 6]] as const) {
      const rbm = randomRBM(V, H, 2);
      const brute = lse(states(V).flatMap((v) => states(H).map((h) => -energyOf(rbm, v, h))));
      expect(nn.exactLogPartition(rbm)).toBeCloseTo(brute, 4);
    }
    const g = randomRBM(1, 3, 3, 'gaussian');
    const xs = Array.from({ length: 4001 }, (_, i) => -20 + i * 0.01);
    const quad = lse(xs.flatMap((x) => states(3).map((h) => -energyOf(g, [x], h)))) + Math.log(0.01);
    expect(nn.exactLogPartition(g)).toBeCloseTo(quad, 4);
  });

  it('pseudo-log-likelihood (exact) is the sum of log p(v_i | v_-i) from the joint', () => {
    const rbm = randomRBM(4, 3, 4);
    const all = states(4);
    const logp = all.map((v) => -rbm.freeEnergy(rows([v])).item());
    const data = [all[3]!, all[9]!, all[14]!];
    let want = 0;
    for (const v of data) {
      const s = all.findIndex((x) => x.join() === v.join());
      for (let i = 0; i < 4; i++) want += logp[s]! - lse([logp[s]!, logp[s ^ (1 << i)]!]);
    }
    expect(nn.pseudoLogLikelihood(rbm, rows(data), { exact: true })).toBeCloseTo(want / 3, 4);
    // The one-unit estimate is unbiased: its mean over many draws approaches the exact value.
    const g = new Generator(5);
    let est = 0;
    for (let t = 0; t < 400; t++) est += nn.pseudoLogLikelihood(rbm, rows(data), { generator: g });
    expect(Math.abs(est / 400 - want / 3)).toBeLessThan(0.15);
  });
});

describe('RBM learning', () => {
  it("CD-k's gradient tends to the exact log-likelihood gradient as the chains grow long", () => {
    const V = 6, H = 4;
    const rbm = randomRBM(V, H, 6, 'binary', 0.7);
    const data = [[1, 0, 1, 1, 0, 0], [0, 1, 1, 0, 1, 0], [1, 1, 0, 0, 0, 1], [0, 0, 0, 1, 1, 1]];
    // Exact: dNLL/dW = <p(h|v) v^T>_model - <p(h|v) v^T>_data.
    const all = states(V);
    const logp = all.map((v) => -rbm.freeEnergy(rows([v])).item());
    const Z = lse(logp);
    const exact = (vs: number[][], ws: number[]) => {
      const ph = rbm.hiddenProbabilities(rows(vs)).toArray();
      const g = new Float64Array(H * V);
      vs.forEach((v, r) => {
        for (let j = 0; j < H; j++) for (let i = 0; i < V; i++) g[j * V + i] += ws[r]! * ph[r * H + j]! * v[i]!;
      });
      return g;
    };
    const model = exact(all, logp.map((l) => Math.exp(l - Z)));
    const dat = exact(data, data.map(() => 1 / data.length));
    const want = Array.from(model, (m, i) => m - dat[i]!);
    const batch = rows(Array.from({ length: 4000 }, (_, r) => data[r % 4]!));
    const errorAt = (k: number) => {
      rbm.zeroGrad();
      rbm.contrastiveDivergence(batch, { k, generator: new Generator(7) });
      const got = rbm.weight.grad!.toArray();
      return Math.max(...want.map((w, i) => Math.abs(got[i]! - w)));
    };
    const long = errorAt(100);
    const one = errorAt(1);
    console.log(`CD-k vs exact gradient, max |error| over W: k=100 ${long.toFixed(4)}, k=1 ${one.toFixed(4)}`);
    // 4,000 chains: the model term's standard error is about 0.5 / sqrt(4000) = 0.008 per entry.
    expect(long).toBeLessThan(0.04);
    expect(one).toBeGreaterThan(long);
    // PCD: once its chains have run long (a first call with k = 100, weights unchanged), one more
    // step's estimate is the exact gradient up to sampling noise, with or without the reconstruction.
    for (const reconstructionError of [false, true]) {
      const g = new Generator(8);
      rbm.resetChains();
      rbm.contrastiveDivergence(batch, { k: 100, persistent: true, generator: g });
      rbm.zeroGrad();
      const r = rbm.contrastiveDivergence(batch, { persistent: true, reconstructionError, generator: g });
      const got = rbm.weight.grad!.toArray();
      const err = Math.max(...want.map((w, i) => Math.abs(got[i]! - w)));
      console.log(`PCD (chains after 100 steps) vs exact gradient, max |error| over W: ${err.toFixed(4)}; reconstruction error ${r.reconstructionError}`);
      expect(err).toBeLessThan(0.04);
      expect(Number.isNaN(r.reconstructionError)).toBe(!reconstructionError);
    }
    rbm.resetChains();
  });

  it('AIS agrees with the exact log Z on an RBM small enough to enumerate', () => {
    const rbm = randomRBM(30, 12, 8, 'binary', 0.3);
    const exact = nn.exactLogPartition(rbm);
    const ais = nn.annealedImportanceSampling(rbm, { runs: 64, betas: 2000, generator: new Generator(9) });
    console.log(`AIS log Z ${ais.logZ.toFixed(4)} [${ais.logZLow.toFixed(4)}, ${ais.logZHigh.toFixed(4)}] vs exact ${exact.toFixed(4)}`);
    expect(Math.abs(ais.logZ - exact)).toBeLessThan(0.1);
    expect(ais.logZLow).toBeLessThanOrEqual(ais.logZHigh);
  });

  it('contrastiveDivergence draws the samples the public ops draw and gives their statistics (CD-k, PCD; 0/1 data or not)', () => {
    // Its 0/1 path (lists of ones, fused half-steps, one-pass weight statistics) against the same step
    // written with sampleHidden / sampleVisible / hiddenProbabilities on a generator with the same seed.
    const V = 13, H = 7, B = 9;
    const rbm = randomRBM(V, H, 21, 'binary', 0.5);
    const g0 = new Generator(22);
    const binaryData = nn.bernoulli(nn.full([B, V], 0.3), { generator: g0 }).keep();
    const probData = nn.rand([B, V], { generator: g0 }).keep();
    const meanRows = (x: Float32Array, rows: number, cols: number) => Float64Array.from({ length: cols }, (_, j) => { let s = 0; for (let r = 0; r < rows; r++) s += x[r * cols + j]!; return s / rows; });
    const outer = (a: Float32Array, b: Float32Array, rows: number) => Float64Array.from({ length: H * V }, (_, e) => { let s = 0; for (let r = 0; r < rows; r++) s += a[r * H + Math.floor(e / V)]! * b[r * V + (e % V)]!; return s / rows; });
    const close = (label: string, got: Float32Array, want: ArrayLike<number>) => {
      const err = Math.max(...Array.from(got, (x, i) => Math.abs(x - want[i]!)));
      expect(err, label).toBeLessThan(1e-5);
    };
    for (const [name, v] of [['0/1 data', binaryData], ['probabilities as data', probData]] as const) {
      for (const [k, persistent] of [[1, false], [3, false], [1, true]] as const) {
        const label = `${name}, k=${k}, persistent=${persistent}`;
        const g1 = new Generator(23), g2 = new Generator(23);
        let chains: Tensor | null = null;
        for (let call = 0; call < 2; call++) {
          rbm.zeroGrad();
          const r = rbm.contrastiveDivergence(v, { k, persistent, generator: g1 });
          // The same step by the public ops (every sampling op draws one key).
          const pos = rbm.sampleHidden(v, { generator: g2 });
          if (persistent && chains === null) chains = rbm.sampleVisible(rbm.sampleHidden(v, { generator: g2 }).sample, { generator: g2 }).sample.keep();
          let x = rbm.sampleVisible(persistent ? rbm.sampleHidden(chains!, { generator: g2 }).sample : pos.sample, { generator: g2 });
          const recon = persistent ? rbm.visibleProbabilities(pos.sample) : x.prob;
          for (let i = 1; i < k; i++) x = rbm.sampleVisible(rbm.sampleHidden(x.sample, { generator: g2 }).sample, { generator: g2 });
          const hk = rbm.hiddenProbabilities(x.sample).toArray(), vk = x.sample.toArray(), h0 = pos.prob.toArray(), v0 = v.toArray();
          g2.nextU32();
          g2.nextU32();
          if (persistent) {
            chains!.dispose();
            chains = x.sample.keep();
          }
          const [mk, m0] = [outer(hk, vk, B), outer(h0, v0, B)];
          close(`${label} weight`, rbm.weight.grad!.toArray(), Array.from(mk, (a, i) => a - m0[i]!));
          const [bk, b0, ck, c0] = [meanRows(vk, B, V), meanRows(v0, B, V), meanRows(hk, B, H), meanRows(h0, B, H)];
          close(`${label} visible bias`, rbm.visibleBias.grad!.toArray(), Array.from(bk, (a, i) => a - b0[i]!));
          close(`${label} hidden bias`, rbm.hiddenBias.grad!.toArray(), Array.from(ck, (a, i) => a - c0[i]!));
          const want = Array.from(v0, (a, i) => (a - recon.toArray()[i]!) ** 2).reduce((s, d) => s + d, 0) / v0.length;
          expect(Math.abs(r.reconstructionError - want), label).toBeLessThan(1e-6);
          expect(rbm.persistentChains === null ? null : Array.from(rbm.persistentChains.toArray()), label).toEqual(persistent ? Array.from(chains!.toArray()) : null);
        }
        expect(g1.nextU32(), `${label}: as many keys drawn`).toBe(g2.nextU32());
        rbm.resetChains();
        chains?.dispose();
      }
    }
    binaryData.dispose();
    probData.dispose();
  });

  it('seeded training runs are bit-identical (CD-1 and PCD with SGD momentum)', () => {
    const run = () => {
      const g = new Generator(10);
      const rbm = new RBM(20, 7, { generator: g });
      const opt = new nn.SGD(rbm.parameters(), { lr: 0.1, momentum: 0.5 });
      const data = nn.bernoulli(nn.full([16, 20], 0.3), { generator: g });
      for (let s = 0; s < 6; s++) {
        opt.zeroGrad();
        rbm.contrastiveDivergence(data, { persistent: s % 2 === 1, generator: g });
        opt.step();
      }
      const w = rbm.weight.toArray();
      rbm.resetChains();
      return w;
    };
    expect(Buffer.from(run().buffer).equals(Buffer.from(run().buffer))).toBe(true);
  });

  it('saves and loads like other models (architecture and PyTorch-style state dict)', () => {
    const rbm = randomRBM(6, 3, 12, 'gaussian');
    const again = nn.moduleFromJson(nn.architectureToJson(rbm)) as RBM;
    expect(again).toBeInstanceOf(RBM);
    expect(again.visible).toBe('gaussian');
    nn.loadWeightsFromBytes(again, nn.weightsToBytes(rbm));
    expect([...again.stateDict().keys()]).toEqual(['weight', 'visible_bias', 'hidden_bias']);
    expect(Array.from(again.weight.toArray())).toEqual(Array.from(rbm.weight.toArray()));
  });

  it('rejects bad shapes and options with the API name', () => {
    const rbm = new RBM(4, 2);
    expect(() => rbm.freeEnergy(nn.zeros([2, 5]))).toThrow(/RBM\(4, 2\)\.freeEnergy: expected visible states \[batch, 4\], got \[2, 5\]/);
    expect(() => new RBM(4, 2, { visibles: 'binary' } as never)).toThrow(/visible/);
    expect(() => rbm.contrastiveDivergence(nn.zeros([2, 4]), { k: 0 })).toThrow(/k/);
  });
});
