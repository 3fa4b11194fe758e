/**
 * AIS against the exact log partition function of a 784-20 RBM trained briefly on MNIST (binarised at
 * 0.5): the exact value enumerates the 2^20 hidden states (~20-30 s, the bulk of this test).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';

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
});
