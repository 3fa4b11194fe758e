// Where the second thread goes in bench scaling's convolution cases: each pass timed phase by phase on 1
// and on 2 threads of the same kernels, alternating rounds in one process (as bench scaling does).
// A phase is one kernel call on the calling thread (serial) or one job of the pool (its tasks' kernel,
// x its task count); "rest" is the pass's time outside both (JavaScript: packing weights, tables,
// allocation). Per pass: ms per call, 1t / 2t / ratio, sustained loops of roundMs per round.
// node --experimental-wasm-relaxed-simd tools/bench/study/conv-phases.mjs [relaxed|simd128] [rounds] [roundMs] [case filter]
import * as K from '@deepwasm/kernels';
import { median } from './kernels-setup.mjs';

const [isa = 'relaxed', roundsArg = '5', roundMsArg = '150', filter = ''] = process.argv.slice(2);
const rounds = Number(roundsArg);
const roundMs = Number(roundMsArg);
const CONVS = [
  { name: 'LeNet conv1', N: 64, C: 1, H: 28, OC: 6, K: 5, pad: 2 },
  { name: 'LeNet conv2', N: 64, C: 6, H: 14, OC: 16, K: 5, pad: 0 },
  { name: 'ResNet 3x3', N: 1, C: 64, H: 56, OC: 64, K: 3, pad: 1 },
  { name: 'VGG conv1', N: 1, C: 3, H: 224, OC: 64, K: 3, pad: 1 },
];

const k = await K.loadKernels({ isa });
K.setThreads(k, 2);
await K.threadsStarted(k);

// The recorder: phase name -> total ms while `on`.
let on = false;
const totals = new Map();
const add = (name, ms) => totals.set(name, (totals.get(name) ?? 0) + ms);
const pool = K.poolOf(k);
const run = pool.run.bind(pool);
pool.run = (tasks) => {
  if (!on) return run(tasks);
  const t0 = performance.now();
  run(tasks);
  add(`job ${tasks[0].fn} x${tasks.length}`, performance.now() - t0);
};
const raw = k.exports;
const wrapped = {};
for (const [name, f] of Object.entries(raw)) {
  wrapped[name] = typeof f !== 'function' ? f : (...a) => {
    if (!on) return f(...a);
    const t0 = performance.now();
    const r = f(...a);
    add(`call ${name}`, performance.now() - t0);
    return r;
  };
}
k.exports = wrapped;

const put = (n) => {
  const p = k.arena.alloc(n * 4);
  const v = new Float32Array(k.memory.buffer, p, n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.37);
  return p;
};

/** Per-phase ms per call of `fn` over roundMs, and the whole call's. */
function measure(fn) {
  fn();
  totals.clear();
  on = true;
  let n = 0;
  const t0 = performance.now();
  while (n < 2 || performance.now() - t0 < roundMs) {
    fn();
    n++;
  }
  const all = performance.now() - t0;
  on = false;
  const out = new Map([...totals].map(([p, ms]) => [p, ms / n]));
  out.set('rest', (all - [...totals.values()].reduce((a, b) => a + b, 0)) / n);
  out.set('total', all / n);
  return out;
}

for (const c of CONVS.filter((c) => c.name.includes(filter))) {
  const g = { N: c.N, C: c.C, H: c.H, W: c.H, OC: c.OC, KH: c.K, KW: c.K, strideH: 1, strideW: 1, padH: c.pad, padW: c.pad, dilationH: 1, dilationW: 1, groups: 1 };
  const O = K.convOutputSize(c.H, c.K, 1, c.pad);
  const [x, w, b, y] = [put(c.N * c.C * c.H * c.H), put(c.OC * c.C * c.K * c.K), put(c.OC), put(c.N * c.OC * O * O)];
  const [dx, dw, db] = [put(c.N * c.C * c.H * c.H), put(c.OC * c.C * c.K * c.K), put(c.OC)];
  const passes = { fwd: () => K.conv2dForward(k, g, x, w, b, y), bwd: () => K.conv2dBackward(k, g, x, w, y, dx, dw, db) };
  for (const [pass, fn] of Object.entries(passes)) {
    const seen = { 1: [], 2: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? [1, 2] : [2, 1]) {
        K.setThreads(k, t);
        seen[t].push(measure(fn));
      }
    }
    // Phases by name (a 2-thread job and its 1-thread calls have different names; both are listed).
    const names = [...new Set([...seen[1], ...seen[2]].flatMap((m) => [...m.keys()]))].filter((p) => p !== 'total' && p !== 'rest');
    const med = (t, p) => median(seen[t].map((m) => m.get(p) ?? 0));
    const ratios = seen[1].map((m, i) => m.get('total') / seen[2][i].get('total'));
    console.log(`${isa} ${c.name} ${pass}: 1t ${med(1, 'total').toFixed(3)} ms, 2t ${med(2, 'total').toFixed(3)} ms, ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
    for (const p of [...names, 'rest']) console.log(`  ${p.padEnd(52)} 1t ${med(1, p).toFixed(3).padStart(7)}  2t ${med(2, p).toFixed(3).padStart(7)}`);
  }
}
K.closeThreads(k);
