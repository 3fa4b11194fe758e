/** VGG-11/13/16/19 (configurations A, B, D, E), with or without batch norm, as torchvision builds them. */
import * as nn from '@deepwasm/nn';
import { CLASSIFIER_OPTIONS, type ClassifierOptions } from './alexnet.js';

export type VggDepth = 11 | 13 | 16 | 19;

const M = 'M' as const;
export const VGG_CONFIGS: Record<VggDepth, ReadonlyArray<number | typeof M>> = {
  11: [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
  13: [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
  16: [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M],
  19: [64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M],
};

export interface VggOptions extends ClassifierOptions {
  batchNorm?: boolean;
}

export function vgg(depth: VggDepth, opts: VggOptions = {}): nn.Sequential {
  nn.check.checkOptions('vgg', opts, nn.check.joinKeys(CLASSIFIER_OPTIONS, new Set(['batchNorm'])));
  if (opts.batchNorm !== undefined) nn.check.bool('vgg', 'batchNorm', opts.batchNorm);
  const cfg = VGG_CONFIGS[depth];
  if (cfg === undefined) throw new Error(`vgg: depth must be 11, 13, 16 or 19, got ${depth}`);
  const layers: nn.Module[] = [];
  let c = opts.inChannels ?? 3;
  for (const v of cfg) {
    if (v === M) {
      layers.push(new nn.MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.push(new nn.Conv2d(c, v, 3, { padding: 1 }));
    if (opts.batchNorm) layers.push(new nn.BatchNorm2d(v));
    layers.push(new nn.ReLU());
    c = v;
  }
  const p = opts.dropout ?? 0.5;
  return new nn.Sequential({
    features: new nn.Sequential(...layers),
    avgpool: new nn.AdaptiveAvgPool2d(7),
    flatten: new nn.Flatten(),
    classifier: new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, opts.numClasses ?? 1000),
    ),
  });
}
