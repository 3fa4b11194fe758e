/** DBM partition function and variational bound against brute-force enumeration on models small enough to list every state. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { DBM, dbm } from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

/** A DBM with random weights (std `scale`) and biases, so the distribution is far from uniform. */
function randomDbm(sizes: number[], seed: number, scale = 0.8): DBM {
  const g = new nn.Generator(seed);
  const model = dbm(sizes, { generator: g });
  for (const p of model.parameters()) {
    const d = p.data;
    for (let i = 0; i < d.length; i++) d[i] = scale * g.normal();
    p.version++;
  }
  return model;
}

/** -E(state) of the DBM for full states x[l] (arrays of 0/1). */
function negEnergy(model: DBM, x: number[][]): number {
  const L = model.rbms.length;
  let e = 0;
  const b = model.rbms[0]!.visibleBias.data;
  x[0]!.forEach((v, i) => (e += v * b[i]!));
  for (let l = 1; l <= L; l++) {
    const rbm = model.rbms[l - 1]!, W = rbm.weight.data, c = rbm.hiddenBias.data, below = x[l - 1]!, n = below.length;
    x[l]!.forEach((h, j) => {
      if (h === 0) return;
      e += c[j]!;
      for (let i = 0; i < n; i++) e += W[j * n + i]! * below[i]!;
    });
  }
  return e;
}

/** Every full state of the listed layer sizes, as arrays per layer. */
function* allStates(sizes: number[]): Generator<number[][]> {
  const n = sizes.reduce((a, s) => a + s, 0);
  for (let s = 0; s < 2 ** n; s++) {
    let bit = 0;
    yield sizes.map((size) => Array.from({ length: size }, () => Math.floor(s / 2 ** bit++) % 2));
  }
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

describe('DBM partition function', () => {
  it('exactLogPartition (even layers summed out) equals the sum over every state, for 2 and 3 hidden layers', () => {
    for (const sizes of [[5, 4, 3], [4, 3, 3, 2]]) {
      const model = randomDbm(sizes, 1);
      const brute = logSumExp([...allStates(sizes)].map((x) => negEnergy(model, x)));
      const ours = model.exactLogPartition();
      console.log(`DBM(${sizes.join('-')}) log Z: enumerated ${brute.toFixed(5)}, odd layers only ${ours.toFixed(5)}`);
      expect(Math.abs(ours - brute)).toBeLessThan(1e-3);
    }
  });

  it('AIS agrees with the exact log Z, from the uniform and from a data base rate, and is bit-identical when seeded', () => {
    for (const sizes of [[16, 12, 8], [8, 6, 5, 4]]) {
      const model = randomDbm(sizes, 2, 0.6);
      const exact = model.exactLogPartition();
      const data = nn.bernoulli(nn.full([50, sizes[0]!], 0.3), { generator: new nn.Generator(4) });
      for (const opts of [{}, { data }]) {
        const a = model.annealedImportanceSampling({ runs: 100, betas: 1000, generator: new nn.Generator(5), ...opts });
        const b = model.annealedImportanceSampling({ runs: 100, betas: 1000, generator: new nn.Generator(5), ...opts });
        console.log(`DBM(${sizes.join('-')}) AIS ${'data' in opts ? 'data' : 'uniform'} base: ${a.logZ.toFixed(4)} [${a.logZLow.toFixed(4)}, ${a.logZHigh.toFixed(4)}], exact ${exact.toFixed(4)}`);
        expect(Math.abs(a.logZ - exact)).toBeLessThan(0.1);
        expect(Array.from(b.logWeights)).toEqual(Array.from(a.logWeights));
      }
    }
  });

  it('the mean-field bound plus KL(q || p(h | v)) is log p(v) exactly, so the bound is below log p(v)', () => {
    const sizes = [6, 5, 4];
    const model = randomDbm(sizes, 3);
    const logZ = model.exactLogPartition();
    const rows = [
      [1, 0, 1, 1, 0, 0],
      [0, 0, 0, 1, 1, 1],
    ];
    const v = nn.fromArray(rows.flat(), [2, 6]);
    const bound = model.variationalBound(v, logZ, 50);
    const mu = model.meanField(v, 50).map((t) => t.toArray());
    rows.forEach((row, r) => {
      const hs = [...allStates(sizes.slice(1))];
      const logJoint = hs.map((h) => negEnergy(model, [row, ...h]) - logZ);
      const logPv = logSumExp(logJoint);
      // KL(q || p(h | v)) = sum_h q(h) (log q(h) - log p(h | v)).
      let kl = 0;
      hs.forEach((h, k) => {
        let logQ = 0;
        h.forEach((layer, l) => layer.forEach((x, j) => (logQ += Math.log(x === 1 ? mu[l]![r * layer.length + j]! : 1 - mu[l]![r * layer.length + j]!))));
        kl += Math.exp(logQ) * (logQ - (logJoint[k]! - logPv));
      });
      console.log(`DBM(6-5-4) row ${r}: log p(v) ${logPv.toFixed(4)}, bound ${bound[r]!.toFixed(4)}, KL ${kl.toFixed(4)}`);
      expect(Math.abs(bound[r]! + kl - logPv)).toBeLessThan(1e-3);
      expect(bound[r]!).toBeLessThanOrEqual(logPv + 1e-4);
    });
  });

  it('names the layers it would enumerate and checks the data shape', () => {
    const model = dbm([4, 30, 3]);
    expect(() => model.exactLogPartition()).toThrow(/odd layers have 30 units/);
    expect(() => model.annealedImportanceSampling({ data: nn.zeros([3, 5]) })).toThrow(/data must be \[n, 4\]/);
  });
});

/** Exact log p(v) of each row under a 2-hidden-layer DBM, h1 enumerated and h2 summed out (brute force, float64). */
function exactLogLikelihood(model: DBM, rows: number[][]): number[] {
  const [v0, n1, n2] = model.sizes as number[];
  const W1 = model.rbms[0]!.weight.data, W2 = model.rbms[1]!.weight.data;
  const b = model.rbms[0]!.visibleBias.data, c1 = model.rbms[0]!.hiddenBias.data, c2 = model.rbms[1]!.hiddenBias.data;
  const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const logZ = model.exactLogPartition();
  return rows.map((v) => {
    const terms: number[] = [];
    for (let s = 0; s < 2 ** n1!; s++) {
      const h1 = Array.from({ length: n1! }, (_, j) => Math.floor(s / 2 ** j) % 2);
      let e = 0;
      v.forEach((x, i) => (e += x * b[i]!));
      h1.forEach((h, j) => {
        if (h === 0) return;
        e += c1[j]!;
        for (let i = 0; i < v0!; i++) e += W1[j * v0! + i]! * v[i]!;
      });
      for (let k = 0; k < n2!; k++) {
        let x = c2[k]!;
        h1.forEach((h, j) => (x += h * W2[k * n1! + j]!));
        e += softplus(x);
      }
      terms.push(e);
    }
    return logSumExp(terms) - logZ;
  });
}

describe('DBM joint training', () => {
  it('raises the exact log-likelihood and the variational bound of the data above greedy stacking (enumerated, seeded)', () => {
    // Three 10-pixel prototypes, each pixel flipped with probability 0.05.
    const g = new nn.Generator(7);
    const protos = [
      [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
      [1, 0, 1, 0, 1, 0, 1, 0, 1, 0],
    ];
    const rows = Array.from({ length: 300 }, () => protos[g.int(3)]!.map((p) => (g.uniform() < 0.05 ? 1 - p : p)));
    const x = nn.fromArray(rows.flat(), [300, 10]).keep();
    const model = dbm([10, 8, 6], { generator: g });
    model.pretrain(x, { epochs: 5, batchSize: 20, lr: 0.05, generator: g });
    const avg = (a: ArrayLike<number>) => Array.from(a).reduce((s, y) => s + y, 0) / a.length;
    const score = () => ({ ll: avg(exactLogLikelihood(model, rows)), bound: avg(model.variationalBound(x, model.exactLogPartition(), 30)) });
    const scores = [score()];
    const lr0 = 0.02, epochs = 4, steps = epochs * 15;
    const opt = new nn.SGD(model.parameters(), { lr: lr0, momentum: 0.5 });
    let step = 0;
    for (let e = 0; e < epochs; e++) {
      const order = g.permutation(300);
      for (let s = 0; s < 300; s += 20) {
        opt.paramGroups[0]!.lr = lr0 * (1 - step++ / steps);
        opt.zeroGrad();
        nn.tidy(() => model.jointGradient(nn.gather(x, order.subarray(s, s + 20)), { numChains: 100, burnIn: 100, generator: g }));
        opt.step();
      }
      scores.push(score());
    }
    model.resetChains();
    console.log(`DBM 10-8-6 on 300 noisy prototypes, exact average log p(v) / mean-field bound: stacked ${scores.map((s) => `${s.ll.toFixed(3)} / ${s.bound.toFixed(3)}`).join(', then ')}`);
    // Every epoch climbs (-6.26 -> -5.98 nats when written; the data's entropy is ln 3 + 10 H(0.05) = 3.08 nats, so far from done).
    for (let e = 1; e < scores.length; e++) {
      expect(scores[e]!.ll).toBeGreaterThan(scores[e - 1]!.ll);
      expect(scores[e]!.bound).toBeGreaterThan(scores[e - 1]!.bound);
    }
    const [first, last] = [scores[0]!, scores[scores.length - 1]!];
    expect(last.ll).toBeGreaterThan(first.ll + 0.2);
    expect(last.bound).toBeGreaterThan(first.bound + 0.2);
    x.dispose();
  });
});
