/**
 * trainGan's recipe options: the real target (one-sided label smoothing) and the AC-GAN class weight
 * enter both losses as defined (the losses of a one-batch epoch recomputed by hand from the networks
 * before and after the discriminator's step), and a moving average of the weights (`ema`) is folded
 * after every generator step and draws the grids.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { GAN, trainGan, type GanEpoch } from '../src/index.js';
import { bars } from './support/bars.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

/** Mean binary cross-entropy of logits against one target, in plain arithmetic. */
const bce = (logits: Float32Array, t: number) => logits.reduce((a, l) => a + Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l))), 0) / logits.length;
/** Mean cross-entropy of [n, k] logits against labels, in plain arithmetic. */
function ce(logits: Float32Array, labels: Int32Array, k: number): number {
  let sum = 0;
  labels.forEach((y, r) => {
    const row = Array.from(logits.subarray(r * k, (r + 1) * k)), top = Math.max(...row);
    sum += top + Math.log(row.reduce((a, v) => a + Math.exp(v - top), 0)) - row[y]!;
  });
  return sum / labels.length;
}
const clone = (m: GAN) => nn.modelFromBuffers(nn.modelToBytes(m)) as GAN;

describe('trainGan recipe options', () => {
  it('realTarget and classWeight: the losses of a one-batch epoch, recomputed by hand', async () => {
    const n = 30, seed = 3, w = 2.5, t = 0.9;
    const data = bars(n, new nn.Generator(0));
    const gan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [16, 24], numClasses: 3, generator: new nn.Generator(1) });
    const before = clone(gan);
    const h = await trainGan(gan, data, { epochs: 1, batchSize: n, seed, realTarget: t, classWeight: w, progress: false, gridSize: 6 });
    // trainGan's draws: the grid's codes, the epoch's order, the batch's codes.
    const g = new nn.Generator(seed);
    nn.normalAround(nn.zeros([6, 4]), 1, { generator: g });
    const order = g.permutation(n);
    const z = nn.normalAround(nn.zeros([n, 4]), 1, { generator: g });
    const labels = Int32Array.from(order, (i) => (data.y as Int32Array)[i]!);
    const real = nn.affine(nn.gather(nn.fromArray(data.x, [n, 36]), order), 2, -1);
    const logitsOf = (m: GAN, x: nn.Tensor) => nn.noGrad(() => {
      const j = m.judge(x, labels);
      return { logit: j.logit.toArray(), classes: j.classLogits!.toArray() };
    });
    const fake0 = nn.noGrad(() => before.generate(z, labels));
    const r = logitsOf(before, real), f = logitsOf(before, fake0);
    const dLoss = bce(r.logit, t) + bce(f.logit, 0) + w * ce(r.classes, labels, 3);
    // The generator's loss: its first images judged by the discriminator after its step.
    const gj = logitsOf(gan, fake0);
    const gLoss = bce(gj.logit, 1) + w * ce(gj.classes, labels, 3);
    expect(h.dLoss[0]).toBeCloseTo(dLoss, 5);
    expect(h.gLoss[0]).toBeCloseTo(gLoss, 5);
    // The defaults (1 and 1) give other losses from the same start.
    const plain = await trainGan(clone(before), data, { epochs: 1, batchSize: n, seed, progress: false, gridSize: 6 });
    expect(plain.dLoss[0]).toBeCloseTo(bce(r.logit, 1) + bce(f.logit, 0) + ce(r.classes, labels, 3), 5);
  });

  it('ema: the average is folded after every generator step and draws the grids', async () => {
    const seed = 5, decay = 0.6, grid = 6;
    const data = bars(48, new nn.Generator(0));
    const gan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [16, 24], numClasses: 3, generator: new nn.Generator(2) });
    const ema = new nn.AveragedModel(gan, { decay });
    const weights: Float32Array[][] = [], epochs: GanEpoch[] = [];
    // One batch per epoch: onEpoch sees the weights after each step.
    await trainGan(gan, data, {
      epochs: 4, batchSize: 48, seed, ema, progress: false, gridSize: grid,
      onEpoch: (e) => {
        weights.push(gan.netG.parameters().map((p) => p.toArray().slice()));
        epochs.push(e);
      },
    });
    const avg = weights[0]!.map((p) => Float64Array.from(p));
    for (const step of weights.slice(1)) step.forEach((p, k) => p.forEach((v, i) => (avg[k]![i] = decay * avg[k]![i]! + (1 - decay) * v)));
    const got = ema.module.netG.parameters().map((p) => p.toArray());
    expect(got.length).toBe(avg.length);
    got.forEach((p, k) => p.forEach((v, i) => expect(v).toBeCloseTo(avg[k]![i]!, 6)));
    expect(Array.from(got[0]!)).not.toEqual(Array.from(weights[3]![0]!));
    // The grid of the last epoch: the average's images of the fixed codes (trainGan's first draw).
    const fixedZ = nn.normalAround(nn.zeros([grid, 4]), 1, { generator: new nn.Generator(seed) });
    const expected = nn.noGrad(() => nn.affine(ema.module.generate(fixedZ, [0, 1, 2, 0, 1, 2]), 0.5, 0.5).toArray());
    expect(Array.from(epochs[3]!.samples)).toEqual(Array.from(expected));
    ema.dispose();
  });

  it('checks the recipe options', async () => {
    const data = bars(12, new nn.Generator(0));
    const gan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [8], numClasses: 3 });
    await expect(trainGan(gan, data, { realTarget: 1.5, progress: false })).rejects.toThrow(/realTarget.*1\.5/);
    await expect(trainGan(gan, data, { classWeight: -1, progress: false })).rejects.toThrow(/classWeight.*-1/);
    const other = new nn.AveragedModel(new nn.Sequential(new nn.Linear(2, 2)) as never);
    await expect(trainGan(gan, data, { ema: other, progress: false })).rejects.toThrow(/ema must be an nn.AveragedModel of the GAN/);
    other.dispose();
  });
});
