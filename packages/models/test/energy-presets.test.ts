/** DBN preset on synthetic digits: greedy pretraining, unrolling, class-conditional samples, save and load. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { DBM, DBN, dbm, dbn } from '../src/index.js';
import { bars as dataset, prototypes } from './support/bars.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

describe('DBN', () => {
  it('pretrains greedily, unrolls into a classifier, generates each class, and saves and loads', () => {
    const g = new nn.Generator(0);
    const data = dataset(600, g);
    const model = dbn([36, 24, 16], { numClasses: 3, generator: g });
    const history = model.pretrain(data, { epochs: 15, topPcdEpochs: 5, batchSize: 20, lr: 0.1, generator: g });
    expect(history.length).toBe(2);
    for (const errs of history) expect(errs[errs.length - 1]!).toBeLessThan(errs[0]!);
    expect(model.rbms[1]!.nVisible).toBe(24 + 3);

    const clf = model.toClassifier();
    expect(clf.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual(['0.weight:24x36', '0.bias:24', '2.weight:16x24', '2.bias:16', '4.weight:3x16', '4.bias:3']);
    const h = nn.noGrad(() => nn.sigmoid(clf.layers[0]!.forward(nn.fromArray(data.x.subarray(0, 36), [1, 36]))));
    expect(Array.from(h.data)).toEqual(Array.from(model.rbms[0]!.hiddenProbabilities(nn.fromArray(data.x.subarray(0, 36), [1, 36])).data));

    // Class-conditional samples: each is nearest (squared distance) to its own class's prototype.
    const protos = prototypes();
    let right = 0;
    for (let c = 0; c < 3; c++) {
      const s = model.sample(10, { label: c, gibbsSteps: 200, generator: g }).toArray();
      for (let r = 0; r < 10; r++) {
        const d = protos.map((p) => p.reduce((a, v, i) => a + (v - s[r * 36 + i]!) ** 2, 0));
        if (d.indexOf(Math.min(...d)) === c) right++;
      }
    }
    console.log(`DBN 36-24-16 (+3 labels) on synthetic bars: ${right}/30 class-conditional samples nearest their class`);
    expect(right).toBeGreaterThanOrEqual(24);

    const again = nn.moduleFromJson(nn.architectureToJson(model)) as DBN;
    nn.loadWeightsFromBytes(again, nn.weightsToBytes(model));
    expect([...again.stateDict().keys()]).toEqual(['rbm0.weight', 'rbm0.visible_bias', 'rbm0.hidden_bias', 'rbm1.weight', 'rbm1.visible_bias', 'rbm1.hidden_bias']);
    expect(again.numClasses).toBe(3);
    expect(Array.from(again.rbms[1]!.weight.data)).toEqual(Array.from(model.rbms[1]!.weight.data));
  });

  it('pretrainSteps yields every batch update and ends where pretrain ends, bit for bit; leaving early cleans up', () => {
    const data = dataset(100, new nn.Generator(5));
    const opts = { epochs: 2, topPcdEpochs: 1, batchSize: 20 };
    const a = dbn([36, 24, 16], { numClasses: 3, generator: new nn.Generator(9) });
    const historyA = a.pretrain(data, { ...opts, generator: new nn.Generator(3) });
    const b = dbn([36, 24, 16], { numClasses: 3, generator: new nn.Generator(9) });
    const steps = b.pretrainSteps(data, { ...opts, generator: new nn.Generator(3) });
    const seen: string[] = [];
    let r = steps.next();
    for (; !r.done; r = steps.next()) {
      const s = r.value;
      seen.push(`${s.layer}${s.phase}${s.epoch}.${s.batch}`);
      expect(s.batches).toBe(5);
      expect(s.layers).toBe(2);
      if (s.phase === 'cd') expect(s.reconstructionError).toBeGreaterThan(0);
      else expect(s.reconstructionError).toBeNull();
    }
    // 2 CD epochs x 5 batches per layer, then 1 PCD epoch for the top RBM.
    expect(seen.length).toBe(2 * 10 + 5);
    expect(seen.slice(0, 2)).toEqual(['0cd0.0', '0cd0.1']);
    expect(seen.slice(-6)).toEqual(['1cd1.4', '1pcd0.0', '1pcd0.1', '1pcd0.2', '1pcd0.3', '1pcd0.4']);
    expect(r.value).toEqual(historyA);
    for (let i = 0; i < 2; i++) expect(Array.from(b.rbms[i]!.weight.data)).toEqual(Array.from(a.rbms[i]!.weight.data));

    // Breaking out mid-way leaves the first RBM's updates done, the second untouched.
    const c = dbn([36, 24, 16], { numClasses: 3, generator: new nn.Generator(9) });
    const before = Array.from(c.rbms[1]!.weight.data);
    let count = 0;
    for (const s of c.pretrainSteps(data, { ...opts, generator: new nn.Generator(3) })) if (++count === 3 || s.layer > 0) break;
    expect(count).toBe(3);
    expect(Array.from(c.rbms[1]!.weight.data)).toEqual(before);
    expect(() => c.pretrainSteps(data, { epoch: 2 } as never).next()).toThrow(/epochs/);
  });

  it('topPcdDecay takes the top RBM PCD rate from lr / 5 linearly to 0; CD epochs keep lr', () => {
    const data = dataset(100, new nn.Generator(5));
    const opts = { epochs: 1, topPcdEpochs: 2, batchSize: 20, lr: 0.1 };
    const rates = (decay: boolean) => {
      const m = dbn([36, 24, 16], { numClasses: 3, generator: new nn.Generator(9) });
      const out = [...m.pretrainSteps(data, { ...opts, topPcdDecay: decay, generator: new nn.Generator(3) })];
      const w = Array.from(m.rbms[1]!.weight.data);
      m.dispose();
      return { cd: out.filter((s) => s.phase === 'cd').map((s) => s.lr), pcd: out.filter((s) => s.phase === 'pcd').map((s) => s.lr), w };
    };
    const decayed = rates(true);
    const constant = rates(false);
    expect(decayed.cd).toEqual(new Array(10).fill(0.1));
    // 2 PCD epochs x 5 batches: step t of 10 uses 0.02 * (1 - t / 10).
    expect(decayed.pcd).toHaveLength(10);
    decayed.pcd.forEach((lr, t) => expect(lr).toBeCloseTo(0.02 * (1 - t / 10), 12));
    expect(constant.pcd).toEqual(new Array(10).fill(0.1 / 5));
    // The same CD phase, then smaller PCD steps: the top weights end elsewhere.
    expect(decayed.w).not.toEqual(constant.w);
  });

  it('rejects bad sizes, labels and options', () => {
    expect(() => dbn([784])).toThrow(/at least two/);
    expect(() => dbn([4, 3], { numClass: 2 } as never)).toThrow(/numClasses/);
    expect(() => dbn([4, 3]).sample(2, { label: 1, gibbsSteps: 1 })).toThrow(/no label units/);
  });
});

describe('DBM', () => {
  it('greedy stacking, mean-field fixed points, joint PCD training; samples look like the data; saves and loads', () => {
    const g = new nn.Generator(1);
    const data = dataset(600, g);
    const x = nn.fromArray(data.x, [600, 36]);
    const model = dbm([36, 24, 12], { generator: g });
    model.pretrain(x, { epochs: 10, batchSize: 20, lr: 0.1, generator: g });
    const opt = new nn.SGD(model.parameters(), { lr: 0.02, momentum: 0.5 });
    for (let step = 0; step < 150; step++) {
      opt.zeroGrad();
      const idx = Array.from({ length: 20 }, () => g.int(600));
      model.jointGradient(nn.fromArray(idx.flatMap((r) => Array.from(data.x.subarray(r * 36, (r + 1) * 36))), [20, 36]), { numChains: 50, generator: g });
      opt.step();
    }
    model.resetChains();
    // Mean field converges to a fixed point of mu1 = sigmoid(W1 v + W2^T mu2 + c1), mu2 = sigmoid(W2 mu1 + c2).
    const v = nn.fromArray(data.x.subarray(0, 5 * 36), [5, 36]);
    const [mu1, mu2] = model.meanField(v, 50);
    const r1 = nn.sigmoid(nn.add(model.rbms[0]!.hiddenInput(v), nn.matmul(mu2!, model.rbms[1]!.weight))).toArray();
    const r2 = model.rbms[1]!.hiddenProbabilities(mu1!).toArray();
    const residual = Math.max(...Array.from(r1, (a, i) => Math.abs(a - mu1!.data[i]!)), ...Array.from(r2, (a, i) => Math.abs(a - mu2!.data[i]!)));
    expect(residual).toBeLessThan(1e-4);
    // Samples after 300 sweeps: mean squared distance to the nearest prototype far below that of noise (0.5 per pixel).
    const protos = prototypes();
    const s = model.sample(20, { gibbsSteps: 300, generator: g }).toArray();
    let dist = 0;
    for (let r = 0; r < 20; r++) dist += Math.min(...protos.map((p) => p.reduce((a, q, i) => a + (q - s[r * 36 + i]!) ** 2, 0) / 36));
    console.log(`DBM 36-24-12 on synthetic bars: mean-field residual ${residual.toExponential(1)}, samples' mean squared distance to the nearest prototype ${(dist / 20).toFixed(3)}`);
    expect(dist / 20).toBeLessThan(0.15);
    const again = nn.moduleFromJson(nn.architectureToJson(model)) as DBM;
    nn.loadWeightsFromBytes(again, nn.weightsToBytes(model));
    expect(Array.from(again.rbms[1]!.weight.data)).toEqual(Array.from(model.rbms[1]!.weight.data));
  });
});
