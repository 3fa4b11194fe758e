/**
 * A deep belief network in the worker: the RBMs of `dbn(sizes, { numClasses: 10 })` trained greedily
 * by DBN.pretrainSteps (CD-1, SGD lr 0.05, momentum 0.5, weight decay 2e-4, batch 64; the top RBM with
 * the one-hot labels and then persistent CD from a fifth of the rate decayed to 0), one batch per step, so that the
 * run can pause and stop between batches and the page sees the reconstruction error and the
 * first-layer filters as they form; then class-conditional samples (Gibbs sampling in the top RBM,
 * label clamped).
 */
import * as nn from '@deepwasm/nn';
import { dbn, type DBN } from '@deepwasm/models';
import { option, type Job, type JobContext } from './job.js';
import { loadMnistSplit, type MnistSplit } from './mnist-data.js';

const BATCH = 64;
const FILTERS = 60;

export interface DbnProgress {
  layer: number;
  layers: number;
  /** Epochs done in all layers (fractional), for the x axis. */
  x: number;
  xMax: number;
  /** Mean reconstruction error of the last batches of this layer. */
  error?: number;
  /** 60 first-layer filters, each scaled to 0-255, when refreshed. */
  filters?: Uint8Array;
  phase: string;
  elapsed: number;
  done: number;
}

function parseSizes(v: unknown): number[] {
  const sizes = String(v ?? '784-500-500-1000').split(/[-,\s]+/).filter(Boolean).map(Number);
  if (sizes.length < 2 || sizes[0] !== 784 || !sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 4096)) {
    throw new RangeError(`layers must be 784 then one or more sizes up to 4096, like 784-500-500-1000; got "${String(v)}"`);
  }
  return sizes;
}

/** 60 filters of the first RBM (rows of its weight), each scaled to its own min..max. */
function filterImages(rbm: nn.RBM): Uint8Array {
  const w = rbm.weight.data;
  const n = Math.min(FILTERS, rbm.nHidden);
  const out = new Uint8Array(n * 784);
  for (let j = 0; j < n; j++) {
    const f = w.subarray(j * rbm.nVisible, j * rbm.nVisible + 784);
    let lo = Infinity, hi = -Infinity;
    for (const v of f) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    for (let p = 0; p < 784; p++) out[j * 784 + p] = Math.round((255 * (f[p]! - lo)) / (hi - lo || 1));
  }
  return out;
}

export class DbnJob implements Job {
  private data: Promise<MnistSplit> | null = null;
  private model: DBN | null = null;
  private readonly g = new nn.Generator(0);

  async run(options: Record<string, unknown>, ctx: JobContext): Promise<{ samples: Uint8Array | null; labels: Uint8Array }> {
    const sizes = parseSizes(options.sizes);
    const epochs = option(options, 'epochs', 2, 1, 50);
    const pcdEpochs = option(options, 'pcd', 2, 0, 50);
    const gibbs = option(options, 'gibbs', 500, 1, 5000);
    this.data ??= loadMnistSplit(ctx.dataBase);
    const { train } = await this.data;
    this.model?.dispose();
    const g = new nn.Generator(0);
    const model = (this.model = dbn(sizes, { numClasses: 10, generator: g }));
    const L = model.rbms.length;
    const xMax = L * epochs + pcdEpochs;
    const ctl = ctx.control;
    let x = 0;
    const report = (p: Partial<DbnProgress> & { layer: number; phase: string }, transfer: Transferable[] = []) =>
      ctx.progress({ layers: L, x, xMax, elapsed: ctl.elapsed, done: x / xMax, ...p } satisfies DbnProgress, transfer);
    const steps = model.pretrainSteps(train, { epochs, topPcdEpochs: pcdEpochs, topPcdDecay: true, batchSize: BATCH, generator: g });
    let err = 0, errBatches = 0, firstDone = false;
    for (const step of steps) {
      const { layer, batch: b, batches } = step;
      if (layer > 0 && !firstDone) {
        firstDone = true;
        const filters = filterImages(model.rbms[0]!);
        report({ layer: 0, phase: `RBM 1/${L} trained`, filters }, [filters.buffer as ArrayBuffer]);
      }
      if (step.reconstructionError !== null) (err += step.reconstructionError), errBatches++;
      x += 1 / batches;
      if (b === batches - 1) x = Math.round(x * 1000) / 1000;
      if ((b + 1) % 25 === 0 || b === batches - 1) {
        const rbm = model.rbms[layer]!;
        const phase = `RBM ${layer + 1}/${L} (${rbm.nVisible}-${rbm.nHidden}) ${step.phase === 'pcd' ? 'PCD' : 'CD-1'}`;
        const filters = layer === 0 && (b + 1) % 50 === 0 ? filterImages(rbm) : undefined;
        report({ layer, phase, error: errBatches > 0 ? err / errBatches : undefined, filters }, filters ? [filters.buffer as ArrayBuffer] : []);
        err = errBatches = 0;
      }
      if (!(await ctl.between())) break;
    }
    if (!ctl.isStopped && !firstDone) {
      const filters = filterImages(model.rbms[0]!);
      report({ layer: 0, phase: `RBM 1/${L} trained`, filters }, [filters.buffer as ArrayBuffer]);
    }
    if (ctl.isStopped) return { samples: null, labels: new Uint8Array(0) };
    report({ layer: L - 1, phase: `sampling 100 digits (${gibbs} Gibbs steps)` });
    return this.sample(gibbs);
  }

  private sample(gibbs: number): { samples: Uint8Array; labels: Uint8Array } {
    if (this.model === null) throw new Error('no network yet: train one first');
    const labels = Uint8Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    const s = nn.tidy(() => this.model!.sample(100, { label: labels, gibbsSteps: gibbs, generator: this.g }).toArray());
    return { samples: Uint8Array.from(s, (v) => Math.round(v * 255)), labels };
  }

  call(method: string, args: unknown[]): unknown {
    if (method === 'sample') {
      const steps = args[0];
      if (!(typeof steps === 'number' && Number.isInteger(steps) && steps >= 1 && steps <= 5000)) throw new RangeError(`Gibbs steps must be an integer in [1, 5000], got ${String(steps)}`);
      return this.sample(steps);
    }
    throw new Error(`dbn: no method "${method}"`);
  }
}
