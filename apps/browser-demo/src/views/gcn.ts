/** The graph view: GCN on Cora trained in a worker; loss and validation accuracy, the hidden layer in 2-D. */
import { LiveChart } from '../ui/chart.js';
import { numberField, speedLine } from '../ui/run-panel.js';
import { setUpView } from './common.js';
import type { GcnProgress } from '../worker/gcn-job.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

export function mountGcn(root: HTMLElement): void {
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const field = (name: string) => q<HTMLInputElement>(`[name=${name}]`);
  const progressBar = q<HTMLProgressElement>('progress');
  const curves = new LiveChart(q('[data-chart=loss]'), {
    title: 'Training loss and validation accuracy', xLabel: 'epoch', yLabel: 'loss / accuracy',
    series: [{ label: 'training loss', color: '#1f77b4' }, { label: 'validation accuracy', color: '#d62728' }],
    yRange: (_min, max) => [0, Math.max(1, Math.ceil(max * 2) / 2)],
    yFormat: (v) => v.toFixed(1),
  });
  const scatter = new LiveChart(q('[data-chart=embedding]'), {
    title: 'Hidden layer of the 2,708 papers (PCA), by class', xLabel: 'component 1', yLabel: 'component 2',
    series: COLORS.map((color, c) => ({ label: `class ${c}`, color, pointsOnly: true })),
    yFormat: (v) => v.toFixed(1),
  });

  const drawEmbedding = (e: Float32Array, labels: Int32Array) => {
    const n = labels.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => e[a * 2]! - e[b * 2]!);
    const x = order.map((i) => e[i * 2]!);
    const ys = COLORS.map((_, c) => order.map((i) => (labels[i] === c ? e[i * 2 + 1]! : null)));
    scatter.reset(x[n - 1]!, x[0]!);
    scatter.set(x, ys);
  };

  const view = setUpView('gcn', root, () => {
    const epochs = numberField(field('epochs'), 1, 5000, true);
    const hidden = numberField(field('hidden'), 2, 256, true);
    const lr = numberField(field('lr'), 1e-6, 1, false);
    if (epochs === null || hidden === null || lr === null) return null;
    curves.reset(epochs);
    progressBar.value = 0;
    view.status('Starting…');
    return { epochs, hidden, lr };
  }, {
    progress(data) {
      const p = data as GcnProgress;
      curves.add(p.epoch, [Number.isFinite(p.loss) ? p.loss : null, p.val]);
      if (p.embedding && p.labels) drawEmbedding(p.embedding, p.labels);
      view.hook.points = curves.counts()[0];
      view.hook.embeddings = ((view.hook.embeddings as number | undefined) ?? 0) + (p.embedding ? 1 : 0);
      progressBar.value = p.done;
      if (p.val !== undefined) view.hook.val = p.val;
      view.status(`epoch ${p.epoch} / ${p.epochs}` + (Number.isFinite(p.loss) ? ` · loss ${p.loss.toFixed(3)}` : '') +
        (view.hook.val !== undefined ? ` · validation accuracy ${(100 * (view.hook.val as number)).toFixed(1)}%` : '') +
        (p.explained !== undefined ? ` · the 2 components hold ${(100 * p.explained).toFixed(0)}% of the variance` : '') +
        (p.epoch > 0 ? ` · ${speedLine(p.epoch / Math.max(p.elapsed, 1e-3), 'epochs', p.elapsed, p.done)}` : ''));
    },
    finished(stopped, data) {
      const d = data as { val: number; test: number; epochs: number };
      view.hook.result = d;
      view.hook.finished = { stopped };
      view.status(`${stopped ? 'Stopped' : 'Done'} after ${d.epochs} epochs: validation ${(100 * d.val).toFixed(1)}%, test ${(100 * d.test).toFixed(1)}% (1,000 test papers).`);
    },
    ready() {
      view.status('Ready: press Start.');
    },
  });
}
