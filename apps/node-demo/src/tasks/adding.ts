/**
 * The adding problem at length 100 (the seeds' long-range dependency problem made measurable): an
 * LSTM and a plain tanh RNN of the same size learn from the same batches; the LSTM gets below 0.01
 * mean squared error while the RNN stays near the 0.167 of always predicting the mean.
 */
import * as nn from '@deepwasm/nn';
import { ADDING_BASELINE_MSE, addingProblem } from '@deepwasm/data';
import { lineChartSvg } from '../plot.js';
import { bar, trainStep, writeOut, type TaskOptions } from './common.js';

export interface AddingOptions extends TaskOptions {
  length?: number;
  hidden?: number;
  batch?: number;
  lr?: number;
  evalEvery?: number;
  /** The LSTM stops once its held-out MSE is below this (the RNN then trains as many steps). */
  target?: number;
}

export interface AddingResult {
  /** Held-out MSE every evalEvery steps. */
  curves: { lstm: number[]; rnn: number[] };
  evalEvery: number;
  steps: number;
  final: { lstm: number; rnn: number };
  seconds: { lstm: number; rnn: number };
}

class Regressor extends nn.Module {
  readonly rnn: nn.LSTM | nn.RNN;
  readonly head: nn.Linear;
  constructor(kind: 'lstm' | 'rnn', hidden: number) {
    super();
    this.rnn = this.registerModule('rnn', kind === 'lstm' ? new nn.LSTM(2, hidden) : new nn.RNN(2, hidden));
    this.head = this.registerModule('head', new nn.Linear(hidden, 1));
  }
  forward(x: nn.Tensor): nn.Tensor {
    const h = this.rnn.run(x).h;
    return this.head.forward(nn.reshape(h, [h.shape[1]!, h.shape[2]!]));
  }
}

export async function runAddingTask(opts: AddingOptions = {}): Promise<AddingResult> {
  const log = opts.log ?? console.log;
  const T = opts.length ?? 100, H = opts.hidden ?? 64, B = opts.batch ?? 64, lr = opts.lr ?? 1e-2;
  const evalEvery = opts.evalEvery ?? 50, maxSteps = opts.steps ?? 3000, target = opts.target ?? 0.005;
  const seed = opts.seed ?? 0;
  const held = addingProblem(1000, T, new nn.Generator(seed + 1000));
  const heldX = nn.fromArray(held.input, held.shape).keep();
  const heldY = nn.fromArray(held.target, [1000, 1]).keep();
  log(`adding problem: length ${T}, batch ${B}, hidden ${H}, Adam lr ${lr}, gradient norm clipped at 1; predicting the mean gives MSE ${ADDING_BASELINE_MSE.toFixed(3)}`);

  const train = (kind: 'lstm' | 'rnn', steps: number, stopBelow: number) => {
    nn.manualSeed(seed);
    const model = new Regressor(kind, H);
    const params = model.parameters();
    const opt = new nn.Adam(params, { lr });
    const data = new nn.Generator(seed);
    const curve: number[] = [];
    const progress = bar(steps, kind.toUpperCase(), opts.progress ?? true);
    const started = performance.now();
    let step = 0;
    while (step < steps) {
      const { input, target: y, shape } = addingProblem(B, T, data);
      trainStep(params, opt, 1, () => nn.mseLoss(model.forward(nn.fromArray(input, shape)), nn.fromArray(y, [B, 1])));
      step++;
      if (step % evalEvery === 0) {
        const mse = nn.noGrad(() => nn.tidy(() => nn.mseLoss(model.forward(heldX), heldY).item()));
        curve.push(mse);
        progress.update(step, `held-out MSE ${mse.toFixed(4)}`);
        if (mse < stopBelow) break;
      }
    }
    progress.finish(`held-out MSE ${curve[curve.length - 1]!.toFixed(4)} after ${step} steps`);
    const seconds = (performance.now() - started) / 1000;
    model.dispose();
    opt.dispose();
    return { curve, steps: step, seconds };
  };

  const lstm = train('lstm', maxSteps, target);
  const rnn = train('rnn', lstm.steps, -Infinity);
  heldX.dispose();
  heldY.dispose();
  const result: AddingResult = {
    curves: { lstm: lstm.curve, rnn: rnn.curve }, evalEvery, steps: lstm.steps,
    final: { lstm: lstm.curve[lstm.curve.length - 1]!, rnn: rnn.curve[rnn.curve.length - 1]! },
    seconds: { lstm: lstm.seconds, rnn: rnn.seconds },
  };
  log(`after ${result.steps} steps: LSTM MSE ${result.final.lstm.toFixed(4)} (${lstm.seconds.toFixed(0)} s), tanh RNN MSE ${result.final.rnn.toFixed(4)} (${rnn.seconds.toFixed(0)} s)`);
  const steps = (curve: number[]) => curve.map((_, i) => (i + 1) * evalEvery);
  const svg = await lineChartSvg({
    title: `Adding problem, T = ${T}: LSTM MSE ${result.final.lstm.toFixed(4)}, tanh RNN ${result.final.rnn.toFixed(4)} after ${result.steps.toLocaleString('en-US')} steps`,
    subtitle: `held-out mean squared error of 1,000 sequences; hidden ${H}, batch ${B}, Adam lr ${lr}, seed ${seed}`,
    xTitle: 'training step',
    panels: [{
      title: 'held-out MSE (log scale)',
      log: true,
      series: [
        { name: 'LSTM', values: lstm.curve, x: steps(lstm.curve) },
        { name: 'tanh RNN', values: rnn.curve, x: steps(rnn.curve) },
        { name: 'predict the mean', values: lstm.curve.map(() => ADDING_BASELINE_MSE), x: steps(lstm.curve), dashed: true },
      ],
    }],
  });
  const path = await writeOut(opts.out, 'adding-problem.svg', svg);
  if (path) log(`curves: ${path}`);
  return result;
}
