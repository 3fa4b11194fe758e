/** The DBN view: greedy RBM training in a worker, reconstruction error per layer, filters, samples per class. */
import { LiveChart, niceCeil } from '../ui/chart.js';
import { digitGrid } from '../ui/digits.js';
import { numberField, speedLine } from '../ui/run-panel.js';
import { reportError, setUpView } from './common.js';
import type { DbnProgress } from '../worker/dbn-job.js';

const COLORS = ['#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

export function mountDbn(root: HTMLElement): void {
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const field = (name: string) => q<HTMLInputElement>(`[name=${name}]`);
  const progressBar = q<HTMLProgressElement>('progress');
  const sampleBtn = q<HTMLButtonElement>('[data-action=sample]');
  let chart: LiveChart | null = null;
  let layers = 0;
  let hasModel = false;

  const showSamples = (d: { samples: Uint8Array | null; labels: Uint8Array }) => {
    if (d.samples === null) return;
    const s = d.samples;
    digitGrid(q('.samples'), Array.from({ length: d.labels.length }, (_, i) => s.subarray(i * 784, (i + 1) * 784)), Array.from(d.labels, String));
    view.hook.samples = d.labels.length;
  };

  const view = setUpView('dbn', root, () => {
    const sizes = field('sizes').value.split(/[-,\s]+/).filter(Boolean).map(Number);
    const okSizes = sizes.length >= 2 && sizes[0] === 784 && sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 4096);
    field('sizes').setCustomValidity(okSizes ? '' : 'sizes like 784-500-500-1000 (784 first, at most 4096 each)');
    if (!okSizes) {
      field('sizes').reportValidity();
      return null;
    }
    const epochs = numberField(field('epochs'), 1, 50, true);
    const pcd = numberField(field('pcd'), 0, 50, true);
    const gibbs = numberField(field('gibbs'), 1, 5000, true);
    if (epochs === null || pcd === null || gibbs === null) return null;
    layers = sizes.length - 1;
    const el = q<HTMLElement>('[data-chart=recon]');
    chart?.plot.destroy();
    el.replaceChildren();
    chart = new LiveChart(el, {
      title: 'Reconstruction error per RBM (mean squared, per pixel or unit)', xLabel: 'epochs (all layers in turn)', yLabel: 'error',
      series: Array.from({ length: layers }, (_, i) => ({ label: `RBM ${i + 1}: ${sizes[i]}${i === layers - 1 ? '+10' : ''}-${sizes[i + 1]}`, color: COLORS[i % COLORS.length]! })),
      yRange: (_min, max) => [0, niceCeil(max)],
      yFormat: (v) => v.toFixed(3),
    });
    chart.reset(layers * epochs + pcd);
    progressBar.value = 0;
    view.status('Starting…');
    return { sizes: sizes.join('-'), epochs, pcd, gibbs };
  }, {
    progress(data) {
      const p = data as DbnProgress;
      if (p.error !== undefined) chart?.add(p.x, Array.from({ length: layers }, (_, i) => (i === p.layer ? p.error : null)));
      if (p.filters) {
        const f = p.filters;
        digitGrid(q('.filters'), Array.from({ length: f.length / 784 }, (_, i) => f.subarray(i * 784, (i + 1) * 784)), []);
        view.hook.filterUpdates = ((view.hook.filterUpdates as number | undefined) ?? 0) + 1;
      }
      view.hook.points = chart?.counts().reduce((a, b) => a + b, 0);
      progressBar.value = p.done;
      view.status(`${p.phase}` + (p.error !== undefined ? ` · reconstruction error ${p.error.toFixed(4)}` : '') + ` · ${speedLine((p.x * 8000) / Math.max(p.elapsed, 1e-3), 'digits', p.elapsed, p.done)}`);
    },
    finished(stopped, data) {
      const d = data as { samples: Uint8Array | null; labels: Uint8Array };
      hasModel = d.samples !== null;
      showSamples(d);
      view.hook.finished = { stopped };
      view.status(stopped ? 'Stopped (no samples: the top RBM was not trained).' : 'Done: 100 samples, ten of each class, drawn by the network.');
    },
    state(state) {
      sampleBtn.disabled = !hasModel || state !== 'idle';
    },
    ready() {
      view.status('Ready: press Start.');
    },
  });
  sampleBtn.addEventListener('click', async () => {
    const gibbs = numberField(field('gibbs'), 1, 5000, true);
    if (gibbs === null) return;
    sampleBtn.disabled = true;
    view.status(`Sampling with ${gibbs} Gibbs steps…`);
    try {
      showSamples(await view.worker.call<{ samples: Uint8Array; labels: Uint8Array }>('sample', [gibbs]));
      view.status(`100 new samples (${gibbs} Gibbs steps).`);
    } catch (e) {
      reportError(view, 'sample', e);
    } finally {
      sampleBtn.disabled = !hasModel || view.panel.state !== 'idle';
    }
  });
}
