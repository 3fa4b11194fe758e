/**
 * The digits view: LeNet-5 (or the MLP) trained in a worker with live loss and accuracy curves,
 * a drawing pad read by the model with class probabilities as bars, the test confusion matrix and
 * misclassified digits, and the model file downloaded or loaded back.
 */
import { LiveChart, niceCeil } from '../ui/chart.js';
import { confusionTable, digitGrid } from '../ui/digits.js';
import { numberField, speedLine } from '../ui/run-panel.js';
import { DrawPad } from './draw-pad.js';
import { reportError, setUpView, type ViewBase } from './common.js';
import type { MnistProgress, ModelSummary } from '../worker/mnist-job.js';
import type { TestReport } from '../worker/classify.js';

const pct = (v: number) => `${(100 * v).toFixed(v >= 0.995 ? 2 : 1)}%`;

export function mountMnist(root: HTMLElement): void {
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const field = (name: string) => q<HTMLInputElement>(`[name=${name}]`);
  const arch = q<HTMLSelectElement>('[name=arch]');
  arch.addEventListener('change', () => (field('lr').value = arch.value === 'mlp' ? '0.001' : '0.002'));
  const progressBar = q<HTMLProgressElement>('progress');

  const lossChart = new LiveChart(q('[data-chart=loss]'), {
    title: 'Loss (cross-entropy)', xLabel: 'epoch', yLabel: 'loss',
    series: [{ label: 'train', color: '#1f77b4' }, { label: 'test', color: '#d62728', markPoints: true }],
    yRange: (_min, max) => [0, niceCeil(max)],
    yFormat: (v) => v.toFixed(v < 1 ? 2 : 1),
  });
  const accChart = new LiveChart(q('[data-chart=accuracy]'), {
    title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy',
    series: [{ label: 'train', color: '#1f77b4' }, { label: 'test', color: '#d62728', markPoints: true }],
    yRange: (min) => [Math.min(0.9, Math.floor(min * 10) / 10), 1],
    yFormat: (v) => `${Math.round(v * 100)}%`,
  });

  let view: ViewBase;
  let hasModel = false;
  const saveBtn = q<HTMLButtonElement>('[data-action=save]');
  const loadInput = q<HTMLInputElement>('[data-action=load]');
  const modelInfo = q<HTMLElement>('.model-info');

  const options = (): Record<string, unknown> | null => {
    const epochs = numberField(field('epochs'), 1, 100, true);
    const batchSize = numberField(field('batchSize'), 1, 1024, true);
    const lr = numberField(field('lr'), 1e-6, 1, false);
    if (epochs === null || batchSize === null || lr === null) return null;
    lossChart.reset(epochs);
    accChart.reset(epochs);
    progressBar.value = 0;
    view.hook.progress = null;
    view.status(`Starting: ${arch.value === 'mlp' ? 'MLP' : 'LeNet-5'}, ${epochs} epoch${epochs > 1 ? 's' : ''}…`);
    return { arch: arch.value, epochs, batchSize, lr };
  };

  const showReport = (r: TestReport) => {
    confusionTable(q('.confusion-box'), r.confusion);
    const n = r.wrong.index.length;
    digitGrid(
      q('.wrong'),
      Array.from({ length: n }, (_, i) => r.wrong.pixels.subarray(i * 784, (i + 1) * 784)),
      Array.from({ length: n }, (_, i) => `${r.wrong.truth[i]}→${r.wrong.predicted[i]}`),
      { title: (i) => `test digit #${r.wrong.index[i]}: a ${r.wrong.truth[i]} read as ${r.wrong.predicted[i]}` },
    );
  };

  const showSummary = (s: ModelSummary, how: string) => {
    hasModel = true;
    view.hook.summary = { name: s.name, parameters: s.parameters, loss: s.test.loss, accuracy: s.test.accuracy, how };
    modelInfo.textContent = `${how}: ${s.describe}, ${s.parameters.toLocaleString('en-US')} parameters; test accuracy ${pct(s.test.accuracy)} (loss ${s.test.loss.toFixed(4)}) on the 2,000 test digits.`;
    showReport(s.test);
    saveBtn.disabled = view.panel.state !== 'idle';
    void predict();
  };

  view = setUpView('mnist', root, options, {
    progress(data) {
      const p = data as MnistProgress;
      view.hook.progress = { epoch: p.epoch, images: p.images, train: p.train, test: p.test };
      if (p.train) {
        lossChart.add(p.epoch, [p.train.loss, null]);
        accChart.add(p.epoch, [p.train.accuracy, null]);
      }
      if (p.test) {
        lossChart.add(p.epoch, [null, p.test.loss]);
        accChart.add(p.epoch, [null, p.test.accuracy]);
      }
      if (p.report) showReport(p.report);
      view.hook.trainPoints = lossChart.counts()[0];
      view.hook.testPoints = lossChart.counts()[1];
      progressBar.value = p.done;
      view.status(
        `epoch ${p.epoch.toFixed(2)} / ${p.epochs}` + (p.test ? ` · test accuracy ${pct(p.test.accuracy)}` : p.train ? ` · train loss ${p.train.loss.toFixed(3)}` : '') +
          ` · ${speedLine(p.images / Math.max(p.elapsed, 1e-3), 'images', p.elapsed, p.done)}`,
      );
      hasModel = true;
      void predict();
    },
    finished(stopped, data) {
      view.hook.finished = { stopped };
      if (data) showSummary(data as ModelSummary, stopped ? 'Stopped' : 'Trained');
      view.status(`${stopped ? 'Stopped' : 'Done'}. ${modelInfo.textContent ?? ''}`);
    },
    state(state) {
      saveBtn.disabled = !hasModel || (state !== 'idle' && state !== 'paused');
      if (state === 'paused') view.status(`Paused. ${root.querySelector('.status')!.textContent ?? ''}`);
    },
    ready() {
      view.status('Ready: press Start to train, or load a model file.');
      saveBtn.disabled = true;
    },
  });
  view.panel.lockedDuringRun.push(loadInput);

  // Drawing pad and live probabilities.
  const bars = q<HTMLElement>('.bars');
  bars.replaceChildren(
    ...Array.from({ length: 10 }, (_, d) => {
      const row = document.createElement('div');
      row.className = 'bar';
      row.innerHTML = `<span class="digit">${d}</span><span class="track"><span class="fill"></span></span><span class="value">–</span>`;
      return row;
    }),
  );
  const prediction = q<HTMLElement>('.prediction');
  let pad: DrawPad | null = null;
  let asking = false;
  let askAgain = false;
  const showProbs = (p: Float32Array | null) => {
    const best = p === null ? -1 : p.indexOf(Math.max(...p));
    [...bars.children].forEach((row, d) => {
      const v = p?.[d] ?? 0;
      (row.querySelector('.fill') as HTMLElement).style.width = `${(100 * v).toFixed(1)}%`;
      row.querySelector('.value')!.textContent = p === null ? '–' : `${(100 * v).toFixed(1)}%`;
      row.classList.toggle('best', d === best);
    });
    prediction.textContent = best < 0 ? '–' : String(best);
    view.hook.prediction = best < 0 ? null : best;
    view.hook.probabilities = p === null ? null : Array.from(p);
  };
  /** Asks the worker for the drawn digit's probabilities; one request at a time, the last drawing wins. */
  const predict = async (): Promise<void> => {
    if (asking) {
      askAgain = true;
      return;
    }
    const digit = pad?.digit ?? null;
    if (digit === null || !hasModel) {
      showProbs(null);
      view.hook.busy = false;
      return;
    }
    asking = true;
    view.hook.busy = true;
    try {
      showProbs(await view.worker.call<Float32Array | null>('predict', [digit]));
      view.hook.predictions = ((view.hook.predictions as number | undefined) ?? 0) + 1;
    } catch (e) {
      reportError(view, 'predict', e);
    } finally {
      asking = false;
      if (askAgain) {
        askAgain = false;
        void predict();
      } else {
        view.hook.busy = false;
      }
    }
  };
  pad = new DrawPad(q('.pad'), q('.preview'), () => void predict());
  q('[data-action=clear]').addEventListener('click', () => pad?.clear());

  // Model file.
  saveBtn.addEventListener('click', async () => {
    try {
      const { name, bytes } = await view.worker.call<{ name: string; bytes: Uint8Array }>('save');
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
      a.download = `${name}.safetensors`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      modelInfo.textContent = `Saved ${a.download} (${bytes.length.toLocaleString('en-US')} bytes). ${modelInfo.textContent}`;
    } catch (e) {
      reportError(view, 'save', e);
    }
  });
  loadInput.addEventListener('change', async () => {
    const file = loadInput.files?.[0];
    if (!file) return;
    loadInput.value = '';
    view.status(`Loading ${file.name}…`);
    try {
      const bytes = await file.arrayBuffer();
      const s = await view.worker.call<ModelSummary>('load', [bytes, file.name, new URL('data/', document.baseURI).href], [bytes]);
      showSummary(s, `Loaded ${file.name}`);
      view.status(modelInfo.textContent ?? '');
    } catch (e) {
      reportError(view, `could not load ${file.name}`, e);
    }
  });
}
