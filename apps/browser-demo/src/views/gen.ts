/** The generative view: a VAE's loss, 2-D latent map and decoded lattice, or a GAN's losses; samples of either. */
import { LiveChart } from '../ui/chart.js';
import { digitGrid } from '../ui/digits.js';
import { numberField, speedLine } from '../ui/run-panel.js';
import { setUpView } from './common.js';
import type { GenProgress } from '../worker/gen-job.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function mountGen(root: HTMLElement): void {
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const field = (name: string) => q<HTMLInputElement>(`[name=${name}]`);
  const which = q<HTMLSelectElement>('[name=model]');
  const progressBar = q<HTMLProgressElement>('progress');
  const mapParts = [...root.querySelectorAll<HTMLElement>('.latent')];
  which.addEventListener('change', () => (field('lr').value = which.value === 'gan' ? '0.0002' : '0.001'));
  const curves = new LiveChart(q('[data-chart=loss]'), {
    title: 'Losses', xLabel: 'epoch', yLabel: 'loss',
    series: [
      { label: 'VAE: −ELBO, training (nats)', color: '#1f77b4' },
      { label: 'VAE: −ELBO, test', color: '#d62728', markPoints: true },
      { label: 'GAN: discriminator', color: '#2ca02c', markPoints: true },
      { label: 'GAN: generator', color: '#9467bd', markPoints: true },
    ],
    yFormat: (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2)),
  });
  /** The VAE's two loss series or the GAN's two. */
  const showLosses = () => [0, 1, 2, 3].forEach((i) => curves.showSeries(i, (i < 2) === (which.value === 'vae')));
  showLosses();
  which.addEventListener('change', showLosses);
  const map = new LiveChart(q('[data-chart=latent]'), {
    title: 'Latent codes of the 2,000 test digits (mean of q(z | x))', xLabel: 'z₁', yLabel: 'z₂',
    series: COLORS.map((color, d) => ({ label: String(d), color, pointsOnly: true })),
    yFormat: (v) => v.toFixed(1),
  });

  const drawMap = (codes: Float32Array, labels: Uint8Array) => {
    const n = labels.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => codes[a * 2]! - codes[b * 2]!);
    map.reset(codes[order[n - 1]! * 2]!, codes[order[0]! * 2]!);
    map.set(order.map((i) => codes[i * 2]!), COLORS.map((_, d) => order.map((i) => (labels[i] === d ? codes[i * 2 + 1]! : null))));
  };
  const grid = (el: HTMLElement, images: Uint8Array, captions: string[] = []) =>
    digitGrid(el, Array.from({ length: images.length / 784 }, (_, i) => images.subarray(i * 784, (i + 1) * 784)), captions);

  const view = setUpView('gen', root, () => {
    const epochs = numberField(field('epochs'), 1, 200, true);
    const lr = numberField(field('lr'), 1e-6, 1, false);
    if (epochs === null || lr === null) return null;
    curves.reset(epochs);
    for (const el of mapParts) el.hidden = which.value === 'gan';
    showLosses();
    progressBar.value = 0;
    view.hook.samples = 0;
    view.hook.maps = 0;
    view.status('Starting…');
    return { model: which.value, epochs, lr };
  }, {
    progress(data) {
      const p = data as GenProgress;
      curves.add(p.x, [p.loss, p.testLoss, p.dLoss, p.gLoss]);
      if (p.samples) {
        grid(q('.gen-samples'), p.samples);
        view.hook.samples = (view.hook.samples as number) + 1;
      }
      if (p.codes && p.labels) {
        drawMap(p.codes, p.labels);
        view.hook.maps = (view.hook.maps as number) + 1;
      }
      if (p.lattice) grid(q('.lattice'), p.lattice);
      if (p.testLoss !== undefined) view.hook.testLoss = [...((view.hook.testLoss as number[] | undefined) ?? []), p.testLoss];
      view.hook.points = curves.counts().reduce((a, b) => a + b, 0);
      progressBar.value = p.done;
      const figures = p.model === 'vae'
        ? (p.loss !== undefined ? ` · −ELBO ${p.loss.toFixed(1)} nats` : '') + (p.testLoss !== undefined ? ` · test ${p.testLoss.toFixed(1)}` : '')
        : p.dLoss !== undefined ? ` · D ${p.dLoss.toFixed(3)}, G ${p.gLoss!.toFixed(3)}` : '';
      view.status(`${p.model.toUpperCase()} epoch ${p.x.toFixed(2)} / ${p.epochs}${figures}` + (p.images > 0 ? ` · ${speedLine(p.images / Math.max(p.elapsed, 1e-3), 'images', p.elapsed, p.done)}` : ''));
    },
    finished(stopped, data) {
      const d = data as { model: string; epochs: number };
      view.hook.finished = { stopped, ...d };
      view.status(`${stopped ? 'Stopped' : 'Done'}: ${d.model.toUpperCase()}, ${d.epochs} epoch${d.epochs === 1 ? '' : 's'}.`);
    },
    ready() {
      view.status('Ready: press Start.');
    },
  });
}
