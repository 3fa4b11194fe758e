/**
 * Up-down (contrastive wake-sleep) fine-tuning of a DBN: the variational bound against its definition
 * by enumeration on a tiny DBN, the bound rising under up-down on synthetic bars, seeded runs
 * bit-identical, and an untied DBN saving and loading with its generative weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { DBN, dbn } from '../src/index.js';
import { bars } from './support/bars.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const sigmoidLog = (z: number, s: number) => s * z - (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))); // log Bernoulli(s; sigmoid(z))
const lse = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
};

describe('DBN up-down fine-tuning', () => {
  it('the variational bound matches its definition by enumeration and lies below the exact log p(v, y)', () => {
    const g = new nn.Generator(4);
    const model = dbn([10, 6, 5], { numClasses: 2, generator: g }).untie();
    for (const p of model.parameters()) nn.init.normal_(p, 0, 0.8, g);
    const [r0, top] = model.rbms as [nn.RBM, nn.RBM];
    const gen = model.generative![0]!;
    const W = r0.weight.toArray(), c = r0.hiddenBias.toArray(), G = gen.weight.toArray(), a = gen.bias.toArray();
    const logZ = nn.exactLogPartition(top);
    const v = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1], label = 1;
    // Enumerate h1: exact log p(v, y) = lse_h [log p(v | h) + log p_top(h, y)]; the bound = E_q[log p(v | h) + log p_top(h, y) - log q(h | v)].
    const hs = Array.from({ length: 64 }, (_, s) => Array.from({ length: 6 }, (_, j) => (s >> j) & 1));
    const topF = top.freeEnergy(nn.fromArray(hs.flatMap((h) => [...h, 0, 1]), [64, 8])).toArray();
    let bound = 0;
    const joint: number[] = [];
    hs.forEach((h, s) => {
      let logPv = 0, logQ = 0;
      for (let i = 0; i < 10; i++) logPv += sigmoidLog(a[i]! + h.reduce((t, hj, j) => t + hj * G[j * 10 + i]!, 0), v[i]!);
      for (let j = 0; j < 6; j++) logQ += sigmoidLog(c[j]! + v.reduce((t, vi, i) => t + vi * W[j * 10 + i]!, 0), h[j]!);
      const logTop = -topF[s]! - logZ;
      joint.push(logPv + logTop);
      bound += Math.exp(logQ) * (logPv + logTop - logQ);
    });
    const exact = lse(joint);
    const estimate = model.logProbabilityBound(nn.fromArray(v, [1, 10]), { labels: [label], samples: 4000, generator: new nn.Generator(5) });
    console.log(`tiny DBN: bound by enumeration ${bound.toFixed(4)}, Monte Carlo ${estimate.toFixed(4)}, exact log p(v, y) ${exact.toFixed(4)}`);
    expect(bound).toBeLessThanOrEqual(exact);
    expect(Math.abs(estimate - bound)).toBeLessThan(0.1);
  });

  it('raises the bound on log p(v, y) of the training data over greedy pretraining; seeded runs are bit-identical', () => {
    const run = () => {
      const g = new nn.Generator(0);
      const data = bars(600, g);
      const model = dbn([36, 24, 12], { numClasses: 3, generator: g });
      model.pretrain(data, { epochs: 15, topPcdEpochs: 5, batchSize: 20, lr: 0.1, generator: g });
      const x = nn.fromArray(data.x, [600, 36]).keep();
      const before = model.logProbabilityBound(x, { labels: data.y as Int32Array, samples: 20, generator: new nn.Generator(7) });
      model.upDown(data, { epochs: 20, batchSize: 20, generator: g });
      const after = model.logProbabilityBound(x, { labels: data.y as Int32Array, samples: 20, generator: new nn.Generator(7) });
      return { model, before, after };
    };
    const a = run();
    console.log(`DBN 36-24-12 (+3 labels) on bars: bound on log p(v, y) ${a.before.toFixed(3)} nats after greedy pretraining, ${a.after.toFixed(3)} after 20 up-down epochs`);
    expect(a.after).toBeGreaterThan(a.before + 0.4);
    const b = run();
    for (const [name, p] of a.model.namedParameters()) {
      expect(Buffer.from(p.toArray().buffer).equals(Buffer.from(b.model.stateDict().get(name)!.toArray().buffer)), name).toBe(true);
    }
    // Untied, it saves and loads with its generative weights and samples through them.
    const again = nn.moduleFromJson(nn.architectureToJson(a.model)) as DBN;
    nn.loadWeightsFromBytes(again, nn.weightsToBytes(a.model));
    expect([...again.stateDict().keys()]).toContain('generative0.weight');
    expect(Array.from(again.generative![0]!.weight.toArray())).toEqual(Array.from(a.model.generative![0]!.weight.toArray()));
    expect(again.sample(3, { label: 1, gibbsSteps: 5 }).shape).toEqual([3, 36]);
  });

  it('rejects a missing label or a bad option', () => {
    const model = dbn([4, 3, 2], { numClasses: 2 });
    expect(() => model.logProbabilityBound(nn.zeros([1, 4]))).toThrow(/pass labels/);
    expect(() => model.upDown({ x: new Float32Array(4), y: new Int32Array([0]), count: 1, sampleShape: [4] }, { epoch: 1 } as never)).toThrow(/epochs/);
  });
});
