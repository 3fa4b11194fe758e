/** GAN presets and trainGan: seeded runs are bit-reproducible; a conditional GAN learns synthetic classes; labels and options are checked. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import { Autoencoder, DCGAN, DenoisingAutoencoder, GAN, VAE, trainGan, type GanEpoch } from '../src/index.js';
import { bars, prototypes } from './support/bars.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

const weightsOf = (m: nn.Module) => [...m.stateDict()].map(([, t]) => t.toArray());

describe('GAN', () => {
  it('a seeded run is bit-reproducible, and another seed gives other weights', async () => {
    const data = bars(96, new nn.Generator(0));
    const run = async (seed: number) => {
      const gan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [16, 24], numClasses: 3, generator: new nn.Generator(seed) });
      const grids: Float32Array[] = [];
      const h = await trainGan(gan, data, { epochs: 2, batchSize: 32, seed, progress: false, gridSize: 6, onEpoch: (e) => void grids.push(e.samples) });
      return { w: weightsOf(gan), h, grids };
    };
    const a = await run(1), b = await run(1), c = await run(2);
    expect(a.w.length).toBe(12);
    a.w.forEach((t, i) => expect(Buffer.from(t.buffer).equals(Buffer.from(b.w[i]!.buffer))).toBe(true));
    expect(a.h).toEqual(b.h);
    expect(a.grids.length).toBe(2);
    a.grids.forEach((t, i) => expect(Array.from(t)).toEqual(Array.from(b.grids[i]!)));
    expect(Array.from(a.w[0]!)).not.toEqual(Array.from(c.w[0]!));
  });

  it.each(['auxiliary', 'projection', 'concat'] as const)('a conditional GAN (%s) learns three synthetic classes: its samples are nearest their own prototype', async (conditioning) => {
    const g = new nn.Generator(0);
    const data = bars(600, g);
    const gan = new GAN({ imageSize: 36, latentDim: 8, hiddenSizes: [64, 128], numClasses: 3, conditioning, generator: g });
    const epochs: GanEpoch[] = [];
    await trainGan(gan, data, { epochs: 30, batchSize: 32, lr: 2e-3, seed: 0, progress: false, gridSize: 9, onEpoch: (e) => void epochs.push(e) });
    const last = epochs[epochs.length - 1]!;
    expect(last.samples.length).toBe(9 * 36);
    expect(Array.from(last.sampleLabels)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const protos = prototypes();
    let right = 0;
    for (let c = 0; c < 3; c++) {
      const s = gan.sample(20, { labels: c, generator: g }).toArray();
      for (let r = 0; r < 20; r++) {
        const d = protos.map((p) => p.reduce((a, v, i) => a + (v - s[r * 36 + i]!) ** 2, 0));
        if (d.indexOf(Math.min(...d)) === c) right++;
      }
    }
    console.log(`conditional GAN (${conditioning}) 36-pixel bars, 30 epochs: ${right}/60 samples nearest their class; D(x) ${last.dReal.toFixed(2)}, D(G(z)) ${last.dFake.toFixed(2)}`);
    expect(right).toBeGreaterThanOrEqual(57);
  });

  it("reads the discriminator's outputs as each conditioning defines them", () => {
    const x = nn.rand([4, 36], { generator: new nn.Generator(1) });
    const labels = [0, 2, 1, 2];
    const aux = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [8, 6], numClasses: 3, generator: new nn.Generator(2) });
    const out = aux.netD.forward(x).toArray();
    const j = aux.judge(x, labels);
    expect([j.logit.shape, j.classLogits!.shape]).toEqual([[4, 1], [4, 3]]);
    expect(Array.from(j.logit.data)).toEqual([0, 1, 2, 3].map((r) => out[r * 4]));
    expect(Array.from(j.classLogits!.data)).toEqual([0, 1, 2, 3].flatMap((r) => [1, 2, 3].map((c) => out[r * 4 + c])));
    // Projection: ψ(φ(x)) + e_yᵀ φ(x), with φ the last hidden layer (8 wide) and ψ the last Linear.
    const proj = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [8, 6], numClasses: 3, conditioning: 'projection', generator: new nn.Generator(2) });
    const layers = proj.netD.layers;
    const h = layers.slice(0, -1).reduce((t, m) => m.forward(t), x as nn.Tensor).toArray();
    const psi = layers[layers.length - 1]!.forward(nn.fromArray(h, [4, 8])).toArray();
    const e = proj.projection!.weight.toArray();
    const got = proj.judge(x, labels);
    expect(got.classLogits).toBeNull();
    got.logit.toArray().forEach((v, r) => {
      let dot = 0;
      for (let k = 0; k < 8; k++) dot += e[labels[r]! * 8 + k]! * h[r * 8 + k]!;
      expect(v).toBeCloseTo(psi[r]! + dot, 5);
    });
  });

  it('checks its options, its labels and the data', async () => {
    expect(() => new GAN({ hiddenSizes: [] })).toThrow(/hiddenSizes must list/);
    expect(() => new GAN({ latentDims: 3 } as never)).toThrow(/latentDims.*latentDim/);
    const gan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [8] });
    expect(() => gan.sample(2, { labels: 1 })).toThrow(/unconditional/);
    expect(gan.sample(3).shape).toEqual([3, 36]);
    expect(() => gan.discriminate(nn.zeros([2, 35]))).toThrow(/expected images \[N, 36\], got \[2, 35\]/);
    const wrong: nn.Dataset = { x: new Float32Array(10 * 20), y: new Int32Array(10), count: 10, sampleShape: [20] };
    await expect(trainGan(gan, wrong, { progress: false })).rejects.toThrow(/images of 36 values, the data has 20/);
    await expect(trainGan(gan, bars(10, new nn.Generator(0)), { epoch: 2 } as never)).rejects.toThrow(/epoch.*epochs/);
    const cgan = new GAN({ imageSize: 36, latentDim: 4, hiddenSizes: [8], numClasses: 2 });
    await expect(trainGan(cgan, bars(10, new nn.Generator(0)), { progress: false })).rejects.toThrow(/label 2 is 2/);
  });
});

describe('generative model files', () => {
  it('every preset saves and loads as one file that generates the same bits', () => {
    const make: Array<() => nn.Module & { sample(n: number, o: { labels?: number; generator?: nn.Generator }): nn.Tensor }> = [
      () => new VAE({ inputSize: 12, hiddenSize: 6, latentDim: 2, numClasses: 3 }),
      () => new GAN({ imageSize: 12, latentDim: 3, hiddenSizes: [5, 7], numClasses: 3 }),
      () => new GAN({ imageSize: 12, latentDim: 3, hiddenSizes: [5, 7], numClasses: 3, conditioning: 'concat' }),
    ];
    for (const m of make) {
      const model = m();
      const again = nn.modelFromBuffers(nn.modelToBytes(model)) as typeof model;
      expect(again.constructor).toBe(model.constructor);
      const a = model.sample(4, { labels: 2, generator: new nn.Generator(9) }).toArray();
      const b = again.sample(4, { labels: 2, generator: new nn.Generator(9) }).toArray();
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
    const projected = new GAN({ imageSize: 12, latentDim: 3, hiddenSizes: [5, 7], numClasses: 3, conditioning: 'projection' });
    expect([...projected.stateDict().keys()]).toContain('projection.weight');
    expect((nn.moduleFromConfig(projected.getConfig()) as GAN).conditioning).toBe('projection');
    // A file written before the projection existed has no `conditioning`: it was a concatenating GAN.
    const { conditioning: _, ...old } = projected.getConfig().config as Record<string, unknown>;
    const before = nn.moduleFromConfig({ type: 'GAN', config: old }) as GAN;
    expect([before.conditioning, (before.netD.get(0) as nn.Linear).inFeatures, before.projection]).toEqual(['concat', 12 + 3, null]);
    expect(() => new GAN({ numClasses: 2, conditioning: 'embed' as 'concat' })).toThrow(/conditioning must be 'concat', 'projection' or 'auxiliary', got "embed"/);
    const dae = new DenoisingAutoencoder({ inputSize: 12, hiddenSize: 6, latentDim: 2, noise: 'gaussian', noiseLevel: 0.2 });
    const back = nn.modelFromBuffers(nn.modelToBytes(dae)) as DenoisingAutoencoder;
    expect([back.noise, back.noiseLevel]).toEqual(['gaussian', 0.2]);
    const x = nn.rand([3, 12]);
    expect(Array.from(back.reconstruct(x).data)).toEqual(Array.from(dae.reconstruct(x).data));
  });
});

describe('DCGAN and the convolutional VAE', () => {
  it("has the issue's DCGAN layers with PyTorch's layouts, and a seeded epoch is bit-reproducible", async () => {
    const shapes = (m: nn.Module) => [...m.stateDict()].filter(([k]) => !k.endsWith('num_batches_tracked')).map(([k, t]) => `${k}:${t.shape.join('x')}`);
    expect(shapes(new DCGAN())).toEqual([
      'generator.0.weight:6272x64', 'generator.1.weight:6272', 'generator.1.bias:6272', 'generator.4.weight:128x64x4x4', 'generator.5.weight:64', 'generator.5.bias:64',
      'generator.7.weight:64x1x4x4', 'generator.7.bias:1', 'discriminator.0.weight:64x1x4x4', 'discriminator.0.bias:64', 'discriminator.2.weight:128x64x4x4',
      'discriminator.3.weight:128', 'discriminator.3.bias:128', 'discriminator.6.weight:1x6272', 'discriminator.6.bias:1',
      'generator.1.running_mean:6272', 'generator.1.running_var:6272', 'generator.5.running_mean:64', 'generator.5.running_var:64',
      'discriminator.3.running_mean:128', 'discriminator.3.running_var:128',
    ]);
    const g = new nn.Generator(0);
    const data: nn.Dataset = { x: nn.rand([24, 784], { generator: g }).toArray(), y: Int32Array.from({ length: 24 }, (_, i) => i % 3), count: 24, sampleShape: [1, 28, 28] };
    const run = async () => {
      const gan = new DCGAN({ numClasses: 3, latentDim: 8, generator: new nn.Generator(5) });
      await trainGan(gan, data, { epochs: 1, batchSize: 8, seed: 5, progress: false });
      return { w: weightsOf(gan), s: gan.sample(3, { labels: [0, 1, 2], generator: new nn.Generator(1) }) };
    };
    const a = await run(), b = await run();
    a.w.forEach((t, i) => expect(Buffer.from(t.buffer).equals(Buffer.from(b.w[i]!.buffer))).toBe(true));
    expect(a.s.shape).toEqual([3, 1, 28, 28]);
    expect(Array.from(a.s.data)).toEqual(Array.from(b.s.data));
    const std = (t: nn.Tensor) => Math.sqrt(t.toArray().reduce((s, v) => s + v * v, 0) / t.size);
    const dc = new DCGAN({ numClasses: 3 });
    expect([dc.conditioning, (dc.netD.get(0) as nn.Conv2d).inChannels, (dc.netD.get(6) as nn.Linear).outFeatures, dc.projection]).toEqual(['auxiliary', 1, 1 + 3, null]);
    const projected = new DCGAN({ numClasses: 3, conditioning: 'projection' });
    expect((projected.netD.get(0) as nn.Conv2d).inChannels).toBe(1);
    expect(projected.projection!.weight.shape).toEqual([3, 128 * 7 * 7]);
    expect(std(projected.projection!.weight)).toBeCloseTo(0.02, 2);
    const planes = new DCGAN({ numClasses: 3, conditioning: 'concat' });
    expect((planes.netD.get(0) as nn.Conv2d).inChannels).toBe(4);
    expect(planes.projection).toBeNull();
    expect(std((dc.netG.get(4) as nn.ConvTranspose2d).weight)).toBeCloseTo(0.02, 2);
  });

  it('the convolutional VAE and autoencoder read [N, 784] or [N, 1, 28, 28] and decode to [N, 1, 28, 28]', () => {
    const vae = new VAE({ kind: 'conv', hiddenSize: 32, latentDim: 3, numClasses: 2, generator: new nn.Generator(0) });
    const x = nn.rand([2, 1, 28, 28]);
    expect(vae.encode(x, [0, 1]).mu.shape).toEqual([2, 3]);
    expect(vae.encode(nn.reshape(x, [2, 784]), [0, 1]).mu.shape).toEqual([2, 3]);
    expect(vae.sample(4, { labels: 1 }).shape).toEqual([4, 1, 28, 28]);
    const loss = vae.loss(x, [1, 0]);
    loss.backward();
    expect(vae.features!.parameters().every((p) => p.grad !== null)).toBe(true);
    expect(() => new VAE({ kind: 'conv', inputSize: 100 })).toThrow(/28x28 images/);
    const ae = new Autoencoder({ kind: 'conv', hiddenSize: 16, latentDim: 4 });
    expect(ae.reconstruct(x).shape).toEqual([2, 1, 28, 28]);
    const again = nn.modelFromBuffers(nn.modelToBytes(vae)) as VAE;
    expect(Array.from(again.reconstruct(x, [0, 0]).data)).toEqual(Array.from(vae.reconstruct(x, [0, 0]).data));
  });
});
