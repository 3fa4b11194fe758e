/**
 * The pieces of a VAE's loss: the Gaussian KL term against its closed form (and the closed form
 * against a numerical integral), the reparameterisation trick (seeded, its distribution, its
 * gradients), and binary cross-entropy summed per image against its definition.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { use } from './setup.js';

const gen = new Generator(37);
const randn = (shape: number[], std = 1): Tensor => nn.randn(shape, { generator: gen, std });

beforeAll(async () => {
  await use('simd128');
});

/** ½ Σ_j (exp(lv_j) + mu_j² - 1 - lv_j) per row, in float64. */
function klRows(mu: Float32Array, lv: Float32Array, rows: number): number[] {
  const d = mu.length / rows;
  return Array.from({ length: rows }, (_, n) => {
    let s = 0;
    for (let j = n * d; j < (n + 1) * d; j++) s += 0.5 * (Math.exp(lv[j]!) + mu[j]! ** 2 - 1 - lv[j]!);
    return s;
  });
}

describe('klDivGaussian', () => {
  it('matches the closed form per sample, summed and averaged over samples', () => {
    nn.tidy(() => {
      const mu = randn([5, 7]);
      const lv = randn([5, 7], 0.7);
      const rows = klRows(mu.data, lv.data, 5);
      const none = nn.klDivGaussian(mu, lv, 'none');
      expect(none.shape).toEqual([5]);
      rows.forEach((v, i) => expect(none.data[i]).toBeCloseTo(v, 4));
      const total = rows.reduce((a, b) => a + b, 0);
      expect(nn.klDivGaussian(mu, lv).item()).toBeCloseTo(total, 3);
      expect(nn.klDivGaussian(mu, lv, 'mean').item()).toBeCloseTo(total / 5, 4);
      // [N, C, H, W] latents are summed over C, H and W.
      const mu4 = randn([2, 2, 3, 3]);
      const lv4 = randn([2, 2, 3, 3], 0.5);
      const rows4 = klRows(mu4.data, lv4.data, 2);
      const got4 = nn.klDivGaussian(mu4, lv4, 'none');
      rows4.forEach((v, i) => expect(got4.data[i]).toBeCloseTo(v, 4));
    });
  });

  it('is 0 for the prior itself and positive otherwise', () => {
    nn.tidy(() => {
      expect(nn.klDivGaussian(nn.zeros([3, 4]), nn.zeros([3, 4])).item()).toBe(0);
      expect(nn.klDivGaussian(nn.full([1, 1], 0.1), nn.zeros([1, 1])).item()).toBeCloseTo(0.005, 7);
    });
  });

  it('the closed form agrees with ∫ p log(p / q) computed numerically in one dimension', () => {
    for (const [m, s] of [[0.7, 0.5], [-1.2, 1.8], [0, 0.2]] as const) {
      const p = (z: number) => Math.exp(-0.5 * ((z - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
      const q = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      let integral = 0;
      const h = 1e-3;
      for (let z = m - 12 * s; z <= m + 12 * s; z += h) integral += p(z) * Math.log(p(z) / q(z)) * h;
      const got = nn.tidy(() => nn.klDivGaussian(nn.tensor([[m]]), nn.tensor([[2 * Math.log(s)]])).item());
      expect(got).toBeCloseTo(integral, 4);
    }
  });

  it('gradients: mu and ½(exp(logvar) - 1), and finite differences', () => {
    nn.tidy(() => {
      const mu = randn([3, 4]).requiresGrad_();
      const lv = randn([3, 4], 0.5).requiresGrad_();
      nn.klDivGaussian(mu, lv).backward();
      for (let i = 0; i < 12; i++) {
        expect(mu.grad!.data[i]).toBeCloseTo(mu.data[i]!, 5);
        expect(lv.grad!.data[i]).toBeCloseTo(0.5 * (Math.exp(lv.data[i]!) - 1), 5);
      }
      const r = assertGradCheck((m, l) => nn.klDivGaussian(m, l, 'mean'), [randn([3, 4]), randn([3, 4], 0.5)], { name: 'klDivGaussian' });
      expect(r.mismatches).toEqual([]);
    });
  });
});

describe('reparameterize', () => {
  it('is reproducible with a seeded generator and draws from N(mu, exp(logvar))', () => {
    nn.tidy(() => {
      const n = 20000;
      const mu = nn.tensor(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1.5 : -0.5)), [n / 2, 2]);
      const lv = nn.tensor(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? Math.log(0.25) : Math.log(4))), [n / 2, 2]);
      const z = nn.reparameterize(mu, lv, { generator: new Generator(5) });
      const again = nn.reparameterize(mu, lv, { generator: new Generator(5) });
      expect([...again.data]).toEqual([...z.data]);
      for (const [col, m, sd] of [[0, 1.5, 0.5], [1, -0.5, 2]] as const) {
        let s = 0;
        let ss = 0;
        for (let i = col; i < n; i += 2) (s += z.data[i]!), (ss += z.data[i]! ** 2);
        const k = n / 2;
        const mean = s / k;
        const sdHat = Math.sqrt(ss / k - mean * mean);
        // 5 standard errors: sd/sqrt(k) for the mean, about sd/sqrt(2k) for the standard deviation.
        expect(Math.abs(mean - m)).toBeLessThan((5 * sd) / Math.sqrt(k));
        expect(Math.abs(sdHat - sd)).toBeLessThan((5 * sd) / Math.sqrt(2 * k));
      }
    });
  });

  it('passes gradients: dz/dmu = 1, dz/dlogvar = ½ (z - mu)', () => {
    nn.tidy(() => {
      const mu = randn([4, 3]).requiresGrad_();
      const lv = randn([4, 3], 0.5).requiresGrad_();
      const z = nn.reparameterize(mu, lv, { generator: new Generator(9) });
      nn.sum(z).backward();
      for (let i = 0; i < 12; i++) {
        expect(mu.grad!.data[i]).toBe(1);
        expect(lv.grad!.data[i]).toBeCloseTo(0.5 * (z.data[i]! - mu.data[i]!), 5);
      }
    });
  });
});

describe('binaryCrossEntropy summed per image (as VAEs use it)', () => {
  it("'sum' and per-image sums of 'none' match -Σ t log p + (1 - t) log(1 - p), with targets in [0, 1]; the logits form agrees", () => {
    nn.tidy(() => {
      const logits = randn([3, 1, 4, 4], 2);
      const p = nn.sigmoid(logits);
      const t = nn.rand([3, 1, 4, 4], { generator: gen });
      const perImage = [0, 1, 2].map((n) => {
        let s = 0;
        for (let i = n * 16; i < (n + 1) * 16; i++) s -= t.data[i]! * Math.log(p.data[i]!) + (1 - t.data[i]!) * Math.log(1 - p.data[i]!);
        return s;
      });
      const total = perImage.reduce((a, b) => a + b, 0);
      expect(nn.binaryCrossEntropy(p, t, 'sum').item()).toBeCloseTo(total, 3);
      expect(nn.binaryCrossEntropyWithLogits(logits, t, 'sum').item()).toBeCloseTo(total, 3);
      const rows = nn.sum(nn.binaryCrossEntropy(p, t, 'none'), [1, 2, 3]);
      perImage.forEach((v, i) => expect(rows.data[i]).toBeCloseTo(v, 4));
      const rowsLogits = nn.sum(nn.binaryCrossEntropyWithLogits(logits, t, 'none'), [1, 2, 3]);
      perImage.forEach((v, i) => expect(rowsLogits.data[i]).toBeCloseTo(v, 4));
    });
  });

  it("a VAE's negative ELBO per image: summed BCE + KL, with finite-difference gradients through the sample", () => {
    nn.tidy(() => {
      const x = nn.rand([2, 6], { generator: gen });
      const r = assertGradCheck(
        (mu, lv, w) => {
          const z = nn.reparameterize(mu, lv, { generator: new Generator(3) });
          const logits = nn.matmul(z, w);
          return nn.div(nn.add(nn.binaryCrossEntropyWithLogits(logits, x, 'sum'), nn.klDivGaussian(mu, lv)), 2);
        },
        [randn([2, 3]), randn([2, 3], 0.3), randn([3, 6])],
        { name: 'negative ELBO' },
      );
      expect(r.mismatches).toEqual([]);
    });
  });
});
