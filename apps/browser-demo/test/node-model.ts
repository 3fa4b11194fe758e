/**
 * A model file saved by Node, the way the Node demo saves out/lenet5.safetensors (nn.saveModel): the
 * demo's LeNet-5 recipe (Adam 2e-3 with cosine annealing, random 2-pixel shifts, batch 64) on the
 * same 8,000-digit split as the page, for a few epochs.
 */
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';
import { mnistSplit } from '@deepwasm/data';
import { lenet5 } from '@deepwasm/models';

export async function saveNodeLenet(folder: string, epochs: number): Promise<{ path: string; accuracy: number }> {
  await nn.ready();
  const { train, test } = mnistSplit({ train: 8000, test: 2000, seed: 0, sampleShape: [1, 28, 28] });
  nn.manualSeed(0);
  const model = lenet5();
  const optimizer = new nn.Adam(model.parameters(), { lr: 2e-3 });
  const scheduler = new nn.CosineAnnealingLR(optimizer, epochs);
  await nn.fit(model, train, {
    loss: 'crossEntropy', optimizer, scheduler, epochs, batchSize: 64, seed: 0, progress: false,
    augment: (x, g) => nn.randomTranslate(x, 2, g),
  });
  const accuracy = nn.evaluate(model, test).accuracy ?? 0;
  const { path } = await nn.saveModel(model, join(folder, 'node-lenet5'));
  optimizer.dispose();
  model.dispose();
  return { path, accuracy };
}
