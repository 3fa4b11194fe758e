/**
 * Boltzmann machine: energies against the definition, the Gibbs sampler against the exact Boltzmann
 * distribution, simulated annealing against the enumerated ground state, the Boltzmann learning rule
 * against the exact gradient and on the 4-2-4 encoder (Ackley, Hinton and Sejnowski 1985).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { BoltzmannMachine, Generator } from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

function randomBM(n: number, seed: number, std: number, nHidden = 0): BoltzmannMachine {
  const g = new Generator(seed);
  const bm = new BoltzmannMachine(n - nHidden, nHidden, { initStd: std, generator: g });
  nn.init.normal_(bm.bias, 0, std, g);
  return bm;
}

const bits = (s: number, n: number) => Array.from({ length: n }, (_, j) => (s >> j) & 1);

describe('BoltzmannMachine', () => {
  it('energy is -s^T W s / 2 - b.s, W symmetric with a zero diagonal', () => {
    const bm = randomBM(6, 1, 1);
    const W = bm.weight.toArray(), b = bm.bias.toArray();
    for (let i = 0; i < 6; i++) {
      expect(W[i * 7]).toBe(0);
      for (let j = 0; j < 6; j++) expect(W[i * 6 + j]).toBe(W[j * 6 + i]);
    }
    const s = [bits(0, 6), bits(37, 6), bits(63, 6)];
    const e = bm.energy(nn.tensor(s)).toArray();
    s.forEach((st, r) => {
      let want = 0;
      for (let i = 0; i < 6; i++) {
        want -= b[i]! * st[i]!;
        for (let j = 0; j < 6; j++) want -= 0.5 * W[i * 6 + j]! * st[i]! * st[j]!;
      }
      expect(e[r]).toBeCloseTo(want, 5);
    });
  });

  it("the Gibbs sampler's empirical distribution on 10 units matches the exact Boltzmann distribution (at T = 1 and T = 2)", () => {
    const bm = randomBM(10, 2, 0.6);
    for (const T of [1, 2]) {
      const exact = bm.probabilities(T);
      const chains = 500, g = new Generator(3);
      let s = bm.gibbs(nn.zeros([chains, 10]), { sweeps: 20, temperature: T, generator: g });
      const counts = new Float64Array(1024);
      for (let t = 0; t < 200; t++) {
        s = bm.gibbs(s, { temperature: T, generator: g });
        const d = s.data;
        for (let c = 0; c < chains; c++) {
          let idx = 0;
          for (let j = 0; j < 10; j++) idx |= d[c * 10 + j]! << j;
          counts[idx]++;
        }
      }
      const N = chains * 200;
      let kl = 0;
      counts.forEach((c, i) => {
        if (c > 0) kl += (c / N) * Math.log(c / N / exact[i]!);
      });
      console.log(`Gibbs on a 10-unit BM, T=${T}: KL(empirical || exact) = ${kl.toFixed(5)} over ${N} samples (bias of an exact sampler ~ ${(1023 / (2 * N)).toFixed(5)})`);
      expect(kl).toBeLessThan(0.02);
    }
  });

  it('simulated annealing finds the enumerated ground state of small random spin problems in most seeded runs', () => {
    let found = 0, runs = 0;
    for (let problem = 0; problem < 6; problem++) {
      const bm = randomBM(16, 100 + problem, 1);
      const p = bm.probabilities(1);
      let arg = 0;
      for (let s = 1; s < p.length; s++) if (p[s]! > p[arg]!) arg = s;
      const ground = bm.energy(nn.tensor([bits(arg, 16)])).item();
      for (let seed = 0; seed < 5; seed++) {
        const r = bm.anneal({ schedule: nn.geometricSchedule(5, 0.05, 50), sweepsPerTemperature: 2, generator: new Generator(seed) });
        runs++;
        if (r.bestEnergy <= ground + 1e-4) found++;
      }
    }
    console.log(`simulated annealing: ground state found in ${found} of ${runs} runs (6 problems x 5 seeds, 16 units, 50 temperatures 5 -> 0.05, 2 sweeps each)`);
    expect(found / runs).toBeGreaterThanOrEqual(0.8);
  });

  it('the sampled Boltzmann rule estimates the exact log-likelihood gradient', () => {
    const bm = randomBM(7, 4, 0.5, 3);
    const data = nn.tensor([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 0]]);
    bm.boltzmannGradient(data, { statistics: 'exact' });
    const exact = bm.weight.grad!.toArray();
    bm.zeroGrad();
    bm.boltzmannGradient(data, { chains: 300, burnIn: 20, samples: 30, generator: new Generator(5) });
    const sampled = bm.weight.grad!.toArray();
    const err = Math.max(...Array.from(exact, (e, i) => Math.abs(e - sampled[i]!)));
    console.log(`Boltzmann rule, sampled vs exact gradient: max |error| ${err.toFixed(4)}`);
    expect(err).toBeLessThan(0.03);
  });

  it('the Boltzmann learning rule learns the 4-2-4 encoder (sampled statistics, annealed free phase)', () => {
    // Units 0-3: V1, 4-7: V2, 8-9: H. V1 and V2 are connected within themselves and to H, never to each other,
    // so V2 can copy V1 only through a 2-bit code in H.
    const n = 10, mask = new Float32Array(n * n).fill(1);
    for (let i = 0; i < 4; i++) for (let j = 4; j < 8; j++) mask[i * n + j] = mask[j * n + i] = 0;
    const pats = [0, 1, 2, 3].map((p) => [0, 1, 2, 3].map((i) => (i === p ? 1 : 0)));
    const data = nn.tensor(pats.map((p) => [...p, ...p]));
    /** P(V2 = pattern | V1 = pattern), exactly, per pattern. */
    const completion = (bm: BoltzmannMachine) => {
      const p = bm.probabilities();
      return pats.map((pat) => {
        let num = 0, den = 0;
        for (let s = 0; s < 1024; s++) {
          if (pat.some((b, i) => ((s >> i) & 1) !== b)) continue;
          den += p[s]!;
          if (pat.every((b, i) => ((s >> (4 + i)) & 1) === b)) num += p[s]!;
        }
        return num / den;
      });
    };
    // The 4-2-4 problem has local minima where two patterns share a code (Ackley et al. report them too):
    // a run that ends in one is restarted from the next seed, at most three times.
    let learned: BoltzmannMachine | null = null;
    const tried: string[] = [];
    for (let seed = 1; seed <= 3 && learned === null; seed++) {
      const g = new Generator(seed);
      const bm = new BoltzmannMachine(8, 2, { mask, initStd: 0.1, generator: g });
      const opt = new nn.SGD(bm.parameters(), { lr: 2, momentum: 0.5 });
      for (let step = 0; step < 300; step++) {
        opt.zeroGrad();
        bm.boltzmannGradient(data, { chains: 10, burnIn: 20, samples: 10, startTemperature: 10, generator: g });
        opt.step();
      }
      const c = completion(bm);
      tried.push(`seed ${seed}: ${c.map((x) => x.toFixed(3)).join(' ')}`);
      if (c.every((x) => x > 0.9)) learned = bm;
    }
    console.log(`4-2-4 encoder, P(V2 = pattern | V1 = pattern) after 300 steps:\n  ${tried.join('\n  ')}`);
    expect(learned).not.toBeNull();
    const bm = learned!;
    // Pattern completion by annealing with V1 clamped, and four distinct hidden codes.
    const codes = new Set<string>();
    pats.forEach((pat, k) => {
      const init = nn.tensor(Array.from({ length: 8 }, () => [...pat, 0, 0, 0, 0, 0, 0]));
      const r = bm.anneal({ initial: init, clamp: 4, schedule: nn.geometricSchedule(10, 0.5, 20), generator: new Generator(k) });
      const st = r.best;
      expect(Array.from(st.subarray(4, 8))).toEqual(pat);
      codes.add(`${st[8]}${st[9]}`);
    });
    expect(codes.size).toBe(4);
  });

  it('seeded runs are bit-identical; saves and loads with its mask', () => {
    const run = () => {
      const g = new Generator(9);
      const bm = new BoltzmannMachine(5, 3, { initStd: 0.3, generator: g });
      const opt = new nn.SGD(bm.parameters(), { lr: 0.5 });
      const data = nn.tensor([[1, 0, 1, 0, 1], [0, 1, 1, 0, 0]]);
      for (let s = 0; s < 5; s++) {
        opt.zeroGrad();
        bm.boltzmannGradient(data, { generator: g });
        opt.step();
      }
      return { bm, w: bm.weight.toArray(), e: bm.anneal({ chains: 4, generator: g }).energies };
    };
    const a = run(), b = run();
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
    expect(Array.from(a.e)).toEqual(Array.from(b.e));
    const again = nn.moduleFromJson(nn.architectureToJson(a.bm)) as BoltzmannMachine;
    nn.loadWeightsFromBytes(again, nn.weightsToBytes(a.bm));
    expect(Array.from(again.weight.toArray())).toEqual(Array.from(a.w));
    expect([...again.stateDict().keys()]).toEqual(['weight', 'bias', 'mask']);
  });

  it('rejects a bad mask, clamp or option', () => {
    expect(() => new BoltzmannMachine(2, 1, { mask: [1, 1, 0, 0, 1, 1, 1, 1, 1] })).toThrow(/symmetric/);
    const bm = new BoltzmannMachine(2, 1);
    expect(() => bm.gibbs(nn.zeros([1, 3]), { clamp: 4 })).toThrow(/clamp 4 is more than the 3 units/);
    expect(() => bm.gibbs(nn.zeros([1, 3]), { temprature: 2 } as never)).toThrow(/temperature/);
  });
});
