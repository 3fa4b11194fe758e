// The instrumentation lenet-step-profile.mjs and lstm-step-profile.mjs share: loads the kernels, wraps
// every f32_* export and the pool's run so that one training step's calls on the calling thread and
// its parallel jobs are timed, and hands the kernels to nn. record(step) runs one step and returns its
// events [name, start, end, kind ('direct' | 'job'), caller's share of the job, whether a worker was
// asleep when the job started (it must be woken), tasks the caller ran]; outside record nothing is
// timed. The wrappers add about 1 µs a call. stub: every kernel but the size queries (*_bytes,
// *_floats) becomes a no-op, to time the step's JavaScript alone (one thread: workers run the real
// kernels).
import { loadKernels, setThreads, threadsStarted, poolOf } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';

export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};

export async function profiledKernels({ isa, threads, wrap = true, stub = false }) {
  const k = await loadKernels({ isa });
  const now = () => performance.now();
  let events = null;
  let inJob = 0;
  let mainShare = 0;
  let mainTasks = 0;
  for (const name of wrap ? Object.keys(k.exports) : []) {
    const f = k.exports[name];
    if (typeof f !== 'function' || !name.startsWith('f32_')) continue;
    const call = stub && !/_bytes$|_floats$/.test(name) ? () => 0 : f;
    k.exports[name] = (...a) => {
      if (events === null) return call(...a);
      const t0 = now();
      const r = call(...a);
      const t1 = now();
      if (inJob) {
        mainShare += t1 - t0;
        mainTasks++;
      } else events.push([name, t0, t1, 'direct', 0, 0, 0]);
      return r;
    };
  }
  setThreads(k, threads);
  await threadsStarted(k);
  nn.useKernels(k);
  const pool = poolOf(k);
  if (pool && wrap) {
    const run = pool.run.bind(pool);
    pool.run = (tasks, tailUs) => {
      if (events === null) return run(tasks, tailUs);
      const asleep = Atomics.load(pool.ctl, 5) > 0 ? 1 : 0; // LAYOUT.SLEEPERS: a worker must be woken
      const t0 = now();
      inJob++;
      mainShare = 0;
      mainTasks = 0;
      try {
        run(tasks, tailUs);
      } finally {
        inJob--;
      }
      const t1 = now();
      events.push([`${tasks[0].fn} x${tasks.length}`, t0, t1, 'job', mainShare, asleep, mainTasks]);
    };
  }
  const record = (step) => {
    events = [];
    const t0 = now();
    step();
    const t1 = now();
    const recorded = events;
    events = null;
    return { t0, t1, events: recorded };
  };
  return { k, record };
}

/**
 * Records `steps` steps and sums their calls by kernel: rows, a Map from name (a job is "[job] " and
 * its site, "f32_x x4" unless `key` names it otherwise) to { kind, run (ms), share (the caller's ms
 * inside a job's kernels), n (calls), calls (tasks the caller ran) }; stepMs, each step's ms; js, the
 * ms between calls (and before the first and after the last) over all steps.
 */
export function timeByKernel(record, step, steps, key = (site, kind) => (kind === 'job' ? `[job] ${site}` : site)) {
  const rows = new Map();
  const stepMs = [];
  let js = 0;
  for (let s = 0; s < steps; s++) {
    const { t0, t1, events } = record(step);
    stepMs.push(t1 - t0);
    let prev = t0;
    for (const [site, a, b, kind, share, , tasks] of events) {
      const name = key(site, kind);
      const r = rows.get(name) ?? rows.set(name, { kind, run: 0, share: 0, n: 0, calls: 0 }).get(name);
      r.calls += tasks;
      js += a - prev;
      r.run += b - a;
      r.share += share;
      r.n++;
      prev = b;
    }
    js += t1 - prev;
  }
  return { rows, stepMs, js };
}
