/**
 * Time-series forecaster: an LSTM (or GRU) reads [T, B, F] and a linear head predicts the next value
 * at every step (many-to-many); forecast() continues a history for `horizon` steps by feeding each
 * prediction back in (one-to-many), carrying the recurrent state.
 */
import * as nn from '@deepwasm/nn';

export interface ForecasterOptions {
  inputSize: number;
  hiddenSize?: number;
  numLayers?: number;
  dropout?: number;
  cell?: 'lstm' | 'gru';
  generator?: nn.Generator;
}
const FORECASTER_OPTIONS = nn.check.optionKeys<ForecasterOptions>({ inputSize: true, hiddenSize: true, numLayers: true, dropout: true, cell: true, generator: true });

export class TimeSeriesForecaster extends nn.Module {
  static override readonly typeName = 'TimeSeriesForecaster';
  readonly rnn: nn.LSTM | nn.GRU;
  readonly head: nn.Linear;

  constructor(readonly options: ForecasterOptions) {
    super();
    nn.check.checkOptions('TimeSeriesForecaster', options, FORECASTER_OPTIONS);
    if (options.cell !== undefined) nn.check.oneOf('TimeSeriesForecaster', 'cell', options.cell, ['lstm', 'gru'] as const);
    const { inputSize, hiddenSize = 64, numLayers = 1, dropout = 0, cell = 'lstm', generator } = options;
    const Rnn = cell === 'gru' ? nn.GRU : nn.LSTM;
    this.rnn = this.registerModule('rnn', new Rnn(inputSize, hiddenSize, { numLayers, dropout, generator }));
    this.head = this.registerModule('head', new nn.Linear(hiddenSize, inputSize, { generator }));
  }

  /** Next-step predictions [T, B, F] for inputs [T, B, F]. */
  forward(x: nn.Tensor): nn.Tensor {
    return this.head.forward(this.rnn.run(x).output);
  }

  /** Continues each history [T, B, F] for `horizon` steps: [horizon, B, F] (eval mode, no gradients). */
  forecast(history: nn.Tensor, horizon: number): nn.Tensor {
    if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`forecast: horizon must be a positive integer, got ${horizon}`);
    const [, B, F] = history.shape as [number, number, number];
    const wasTraining = this.training;
    this.eval();
    try {
      return nn.noGrad(() =>
        nn.tidy(() => {
          let r = this.rnn.run(history);
          let next = this.head.forward(nn.narrow(r.output, 0, history.shape[0]! - 1, 1));
          const steps: nn.Tensor[] = [next];
          for (let i = 1; i < horizon; i++) {
            r = this.rnn.run(next, { h0: r.h, c0: r.c });
            next = this.head.forward(r.output);
            steps.push(next);
          }
          return nn.reshape(nn.concat(steps, 0), [horizon, B, F]);
        }),
      );
    } finally {
      this.train(wasTraining);
    }
  }

  override getConfig(): nn.ModuleConfig {
    const { generator: _g, ...config } = this.options;
    return { type: 'TimeSeriesForecaster', config: { ...config } };
  }
}

const { int, num, oneOf, optional } = nn.configFields;
nn.registerModuleType('TimeSeriesForecaster', (c) => new TimeSeriesForecaster(c), {
  inputSize: int({ min: 1 }), hiddenSize: optional(int({ min: 1 })), numLayers: optional(int({ min: 1 })),
  dropout: optional(num({ min: 0, max: 1 })), cell: optional(oneOf(['lstm', 'gru'])),
});
