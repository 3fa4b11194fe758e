/** The networks the demo trains, with their recipes (architecture, epochs, input shape). */
import * as nn from '@deepwasm/nn';

export interface Recipe {
  name: string;
  description: string;
  epochs: number;
  /** Shape of one sample as the model takes it. */
  sampleShape: number[];
  build(): nn.Module;
}

export const recipes: Record<string, Recipe> = {
  mlp: {
    name: 'mlp',
    description: 'MLP 784-256-128-10, ReLU, dropout 0.2',
    epochs: 15,
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
