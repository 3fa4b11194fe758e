/** The text view: the character LSTM trained in a worker, its validation curve, text at a temperature. */
import { LiveChart, niceCeil } from '../ui/chart.js';
import { numberField, speedLine } from '../ui/run-panel.js';
import { reportError, setUpView } from './common.js';
import type { TextProgress } from '../worker/text-job.js';

export function mountText(root: HTMLElement): void {
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const field = (name: string) => q<HTMLInputElement>(`[name=${name}]`);
  const progressBar = q<HTMLProgressElement>('progress');
  const generateBtn = q<HTMLButtonElement>('[data-action=generate]');
  const temperature = field('temperature');
  const sample = q<HTMLElement>('.sample');
  const chart = new LiveChart(q('[data-chart=bits]'), {
    title: 'Validation bits per character', xLabel: 'step', yLabel: 'bits / character',
    series: [{ label: 'validation', color: '#1f77b4' }, { label: 'unigram entropy (no context)', color: '#999', dash: [6, 4] }],
    yRange: (_min, max) => [0, niceCeil(max)],
    yFormat: (v) => v.toFixed(1),
  });
  let hasModel = false;

  const view = setUpView('text', root, () => {
    const steps = numberField(field('steps'), 10, 100_000, true);
    const hidden = numberField(field('hidden'), 8, 1024, true);
    const lr = numberField(field('lr'), 1e-6, 1, false);
    if (steps === null || hidden === null || lr === null) return null;
    chart.reset(steps);
    progressBar.value = 0;
    view.status('Starting…');
    return { steps, hidden, lr };
  }, {
    progress(data) {
      const p = data as TextProgress;
      if (p.step === 0) chart.add(0, [null, p.unigram]);
      if (p.bits !== undefined) chart.add(p.step, [p.bits, p.unigram]);
      view.hook.points = chart.counts()[0];
      view.hook.lastBits = p.bits ?? view.hook.lastBits;
      view.hook.unigram = p.unigram;
      progressBar.value = p.done;
      view.status(`step ${p.step} / ${p.steps}` + (view.hook.lastBits !== undefined ? ` · validation ${(view.hook.lastBits as number).toFixed(2)} bits/char (unigram ${p.unigram.toFixed(2)})` : '') +
        ` · ${speedLine(p.characters / Math.max(p.elapsed, 1e-3), 'characters', p.elapsed, p.done)}`);
    },
    finished(stopped, data) {
      const d = data as { bits: number | null; sample: string };
      hasModel = true;
      view.hook.sample = sample.textContent = d.sample;
      view.hook.finished = { stopped };
      view.status(`${stopped ? 'Stopped' : 'Done'}: validation ${d.bits === null ? '–' : d.bits.toFixed(2)} bits/char. Sampled at temperature 0.7.`);
    },
    state(state) {
      generateBtn.disabled = !hasModel || (state !== 'idle' && state !== 'paused');
    },
    ready() {
      view.status('Ready: press Start.');
    },
  });

  temperature.addEventListener('input', () => (q('output').textContent = temperature.value));
  generateBtn.addEventListener('click', async () => {
    try {
      view.hook.sample = sample.textContent = await view.worker.call<string>('generate', [Number(temperature.value)]);
    } catch (e) {
      reportError(view, 'generate', e);
    }
  });
}
