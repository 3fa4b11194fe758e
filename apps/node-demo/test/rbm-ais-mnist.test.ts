/**
 * AIS against the exact log partition function of RBMs trained briefly on MNIST (binarised at 0.5): a
 * 784-20 RBM after CD-1 (the exact value enumerates the 2^20 hidden states, ~20-30 s, the bulk of this
 * file) and a 784-16 RBM after PCD, whose sharp distribution AIS from the uniform base rate misses by
 * tens of nats while AIS from the data's base rate (Salakhutdinov and Murray) gets it within 0.5 nat.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';

function trained(rows: Float32Array, hidden: number, persistent: boolean): nn.RBM {
  const g = new nn.Generator(0);
  const rbm = new nn.RBM(784, hidden, { generator: g });
  const opt = new nn.SGD(rbm.parameters(), { lr: 0.05 });
  for (let epoch = 0; epoch < 2; epoch++) {
    const order = g.permutation(8000);
    for (let s = 0; s < 8000; s += 64) {
      const batch = new Float32Array(64 * 784);
      order.subarray(s, s + 64).forEach((r, i) => batch.set(rows.subarray(r * 784, (r + 1) * 784), i * 784));
      opt.zeroGrad();
      nn.tidy(() => rbm.contrastiveDivergence(nn.fromArray(batch, [64, 784]), { persistent, generator: g }));
      opt.step();
    }
  }
  rbm.resetChains();
  return rbm;
}

/** The distinct rows of binary images [n, 784]. */
function distinct(rows: Float32Array): nn.Tensor {
  const seen = new Set<string>(), out: number[] = [];
  for (let r = 0; r < rows.length / 784; r++) {
    const key = Buffer.from(Uint8Array.from(rows.subarray(r * 784, (r + 1) * 784))).toString('base64');
    if (!seen.has(key)) (seen.add(key), out.push(r));
  }
  const d = new Float32Array(out.length * 784);
  out.forEach((r, i) => d.set(rows.subarray(r * 784, (r + 1) * 784), i * 784));
  return nn.fromArray(d, [out.length, 784]);
}

describe('RBM on MNIST', () => {
  it('AIS (100 runs, 1,000 temperatures) agrees with the exact log Z of a 784-20 RBM within 0.5 nat', async () => {
    await nn.ready({ isa: 'simd128' });
    const { train, test } = mnistSplit({ train: 8000, test: 2000, seed: 0 });
    const binarise = (x: Float32Array) => Float32Array.from(x, (p) => (p > 0.5 ? 1 : 0));
    const x = nn.fromArray(binarise(train.x), [8000, 784]);
    const g = new nn.Generator(0);
    const rbm = new nn.RBM(784, 20, { generator: g }).initVisibleBias(x);
    const opt = new nn.SGD(rbm.parameters(), { lr: 0.05, momentum: 0.5 });
    const loader = new nn.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const batch of loader) {
        opt.zeroGrad();
        const v = nn.fromArray(binarise(batch.x.toArray()), [batch.x.shape[0]!, 784]);
        rbm.contrastiveDivergence(v, { generator: g });
        opt.step();
      }
    }
    const exact = nn.exactLogPartition(rbm);
    const ais = nn.annealedImportanceSampling(rbm, { runs: 100, betas: 1000, generator: g });
    const testX = nn.fromArray(binarise(test.x), [2000, 784]);
    console.log(
      `784-20 RBM, 2 epochs CD-1: log Z exact ${exact.toFixed(3)}, AIS ${ais.logZ.toFixed(3)} ` +
        `[${ais.logZLow.toFixed(3)}, ${ais.logZHigh.toFixed(3)}]; test log-likelihood ${nn.averageLogLikelihood(rbm, testX, exact).toFixed(2)} nats`,
    );
    expect(Math.abs(ais.logZ - exact)).toBeLessThan(0.5);
  }, 300_000);

  it('after PCD, AIS from the data base rate agrees with the exact log Z of a 784-16 RBM within 0.5 nat (from the uniform one it does not)', async () => {
    await nn.ready({ isa: 'simd128' });
    const { train } = mnistSplit({ train: 8000, test: 2000, seed: 0 });
    const rows = Float32Array.from(train.x, (p) => (p > 0.5 ? 1 : 0));
    const x = nn.fromArray(rows, [8000, 784]).keep();
    const rbm = trained(rows, 16, true);
    const exact = nn.exactLogPartition(rbm);
    const fromData = nn.annealedImportanceSampling(rbm, { runs: 100, betas: 1000, data: x, generator: new nn.Generator(3) });
    const fromUniform = nn.annealedImportanceSampling(rbm, { runs: 100, betas: 1000, generator: new nn.Generator(3) });
    const bound = nn.logPartitionLowerBound(rbm, distinct(rows));
    console.log(
      `784-16 RBM, 2 epochs PCD: log Z exact ${exact.toFixed(3)}; AIS from the data base rate ${fromData.logZ.toFixed(3)} ` +
        `[${fromData.logZLow.toFixed(3)}, ${fromData.logZHigh.toFixed(3)}], from the uniform one ${fromUniform.logZ.toFixed(3)}; sure lower bound ${bound.toFixed(2)}`,
    );
    expect(Math.abs(fromData.logZ - exact)).toBeLessThan(0.5);
    expect(exact - fromUniform.logZ).toBeGreaterThan(10);
    expect(bound).toBeLessThanOrEqual(exact);
    x.dispose();
  }, 300_000);
});
