/** AlexNet in torchvision's single-GPU form: ReLU, overlapping 3/2 max pooling, dropout (61,100,840 parameters at 1000 classes). */
import * as nn from '@deepwasm/nn';

export interface ClassifierOptions {
  numClasses?: number;
  inChannels?: number;
  dropout?: number;
}
export const CLASSIFIER_OPTIONS = nn.check.optionKeys<ClassifierOptions>({ numClasses: true, inChannels: true, dropout: true });

export function alexnet(opts: ClassifierOptions = {}): nn.Sequential {
  nn.check.checkOptions('alexnet', opts, CLASSIFIER_OPTIONS);
  const p = opts.dropout ?? 0.5;
  return new nn.Sequential({
    features: new nn.Sequential(
      new nn.Conv2d(opts.inChannels ?? 3, 64, 11, { stride: 4, padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(3, { stride: 2 }),
      new nn.Conv2d(64, 192, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(3, { stride: 2 }),
      new nn.Conv2d(192, 384, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.Conv2d(384, 256, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.Conv2d(256, 256, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(3, { stride: 2 }),
    ),
    avgpool: new nn.AdaptiveAvgPool2d(6),
    flatten: new nn.Flatten(),
    classifier: new nn.Sequential(
      new nn.Dropout(p),
      new nn.Linear(256 * 6 * 6, 4096),
      new nn.ReLU(),
      new nn.Dropout(p),
      new nn.Linear(4096, 4096),
      new nn.ReLU(),
      new nn.Linear(4096, opts.numClasses ?? 1000),
    ),
  });
}
