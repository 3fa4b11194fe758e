/** The networks the demo trains, with their recipes (architecture, epochs, input shape). */
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';

export interface Recipe {
  name: string;
  /** Name in titles ("LeNet-5"). */
  title: string;
  description: string;
  epochs: number;
  /** Adam learning rate (annealed to 0 by a cosine schedule over the run). */
  lr: number;
  /** Shape of one sample as the model takes it. */
  sampleShape: number[];
  /** Training-time augmentation of each batch. */
  augment?: (x: nn.Tensor, g: nn.Generator) => nn.Tensor;
  build(): nn.Module;
}

export const recipes: Record<string, Recipe> = {
  lenet5: {
    name: 'lenet5',
    title: 'LeNet-5',
    description: 'LeNet-5 (C1 6@5x5, S2, C3 16@5x5, S4, C5 120, F6 84, 10; ReLU, max pooling)',
    epochs: 30,
    lr: 2e-3,
    sampleShape: [1, 28, 28],
    // Random shifts of up to 2 pixels: 8,000 digits are few, and LeNet overfits them without it.
    augment: (x, g) => nn.randomTranslate(x, 2, g),
    build: () => lenet5(),
  },
  mlp: {
    name: 'mlp',
    title: 'MLP 784-256-128-10',
    description: 'MLP 784-256-128-10, ReLU, dropout 0.2',
    epochs: 15,
    lr: 1e-3,
    sampleShape: [784],
    build: () =>
      new nn.Sequential(
        new nn.Linear(784, 256),
        new nn.ReLU(),
        new nn.Dropout(0.2),
        new nn.Linear(256, 128),
        new nn.ReLU(),
        new nn.Dropout(0.2),
        new nn.Linear(128, 10),
      ),
  },
};
