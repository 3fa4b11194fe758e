/**
 * Memory over long loops written the way PyTorch users write them: no tidy, no dispose, no await.
 * Prints WASM memory (memory.buffer.byteLength) and the arena's live bytes every 500 steps, and the
 * growth of both after warm-up (the target is 0 bytes), for
 *   - an MLP (784-256-128-10) trained 10,000 steps on one fixed batch, with and without tidy;
 *   - LeNet-5 trained 2,000 steps at batch 64 on batches from a DataLoader, with and without tidy;
 *   - a noGrad inference loop of LeNet-5 over DataLoader batches (2,000 batches).
 * There is no peer here: the rows compare each loop with itself (growth after warm-up, in bytes).
 */
import * as nn from '@deepwasm/nn';
import { lenet5 } from '@deepwasm/models';
import type { Row, SuiteOptions } from './report.js';

const WARMUP = 500;
const REPORT_EVERY = 500;

interface Trace {
  name: string;
  steps: number;
  memory: number[];
  live: number[];
}

function sample(k: ReturnType<typeof nn.kernels>): { memory: number; live: number } {
  const s = k.arena.stats();
  return { memory: s.memoryBytes, live: s.inUse };
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Runs `step(i)` `steps` times (synchronously), sampling memory after every REPORT_EVERY steps. */
function trace(name: string, steps: number, step: (i: number) => void, log?: (l: string) => void): Trace {
  const k = nn.kernels();
  const t: Trace = { name, steps, memory: [], live: [] };
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    step(i);
    if (i % REPORT_EVERY === 0) {
      const s = sample(k);
      t.memory.push(s.memory);
      t.live.push(s.live);
      log?.(`memory: ${name}: step ${i}: wasm ${mb(s.memory)}, live ${mb(s.live)}`);
    }
  }
  log?.(`memory: ${name}: ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return t;
}

/** Growth after warm-up: last sample minus the sample at step WARMUP. */
function growth(values: number[]): number {
  const at = WARMUP / REPORT_EVERY - 1;
  return values[values.length - 1]! - values[at]!;
}

function rows(t: Trace): Row[] {
  const base = { suite: 'memory', case: t.name, ours: nn.kernels().isa, peer: '', peerValue: Number.NaN, ratio: Number.NaN };
  return [
    { ...base, metric: 'B wasm growth', value: growth(t.memory) },
    { ...base, metric: 'B live growth', value: growth(t.live) },
  ];
}

function syntheticDigits(count: number, seed: number): nn.Dataset {
  const g = new nn.Generator(seed);
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = g.uniform();
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = Math.floor(g.uniform() * 10);
  return { x, y, count, sampleShape: [1, 28, 28] };
}

function mlpLoop(steps: number, useTidy: boolean, log?: (l: string) => void): Trace {
  nn.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const optimizer = new nn.Adam(model.parameters(), { lr: 1e-3 });
  const x = nn.randn([64, 784]);
  const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
  let total = 0;
  const step = () => {
    optimizer.zeroGrad();
    const loss = nn.crossEntropy(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    total += loss.item();
  };
  const t = trace(`MLP, ${steps} steps${useTidy ? ', tidy' : ''}`, steps, useTidy ? () => nn.tidy(step) : step, log);
  if (!Number.isFinite(total)) throw new Error('memory bench: the MLP loss is not finite');
  model.dispose();
  optimizer.dispose?.();
  x.dispose();
  return t;
}

function lenetLoop(steps: number, useTidy: boolean, log?: (l: string) => void): Trace {
  nn.manualSeed(0);
  const model = lenet5();
  const optimizer = new nn.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new nn.DataLoader(syntheticDigits(4096, 1), { batchSize: 64, shuffle: true, seed: 0 });
  let total = 0;
  let it = loader[Symbol.iterator]();
  const step = () => {
    let next = it.next();
    if (next.done) {
      it = loader[Symbol.iterator]();
      next = it.next();
    }
    const { x, y } = next.value;
    optimizer.zeroGrad();
    const loss = nn.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item();
  };
  const t = trace(`LeNet-5 batch 64, ${steps} steps${useTidy ? ', tidy' : ''}`, steps, useTidy ? () => nn.tidy(step) : step, log);
  if (!Number.isFinite(total)) throw new Error('memory bench: the LeNet-5 loss is not finite');
  model.dispose();
  loader.dispose();
  return t;
}

function inferenceLoop(batches: number, log?: (l: string) => void): Trace {
  nn.manualSeed(0);
  const model = lenet5().eval();
  const loader = new nn.DataLoader(syntheticDigits(4096, 2), { batchSize: 64 });
  let correct = 0;
  let it = loader[Symbol.iterator]();
  const t = nn.noGrad(() =>
    trace(`LeNet-5 noGrad inference, ${batches} batches`, batches, () => {
      let next = it.next();
      if (next.done) {
        it = loader[Symbol.iterator]();
        next = it.next();
      }
      const { x, y } = next.value;
      const predicted = nn.argmax(model.forward(x), 1);
      for (let i = 0; i < predicted.length; i++) if (predicted[i] === (y as Int32Array)[i]) correct++;
    }, log),
  );
  log?.(`memory: inference accuracy on random digits (chance level): ${(correct / (batches * 64)).toFixed(3)}`);
  model.dispose();
  loader.dispose();
  return t;
}

export async function runMemorySuite(opts: SuiteOptions = {}): Promise<Row[]> {
  const quick = opts.quick ?? false;
  await nn.ready();
  const log = opts.log;
  const traces = [
    mlpLoop(quick ? 2000 : 10_000, false, log),
    mlpLoop(quick ? 1000 : 2000, true, log),
    lenetLoop(quick ? 1000 : 2000, false, log),
    lenetLoop(quick ? 1000 : 2000, true, log),
    inferenceLoop(quick ? 1000 : 2000, log),
  ];
  const out = traces.flatMap(rows);
  for (const t of traces) {
    log?.(`memory: ${t.name}: growth after step ${WARMUP}: wasm ${growth(t.memory)} B, live ${growth(t.live)} B`);
  }
  return out;
}
