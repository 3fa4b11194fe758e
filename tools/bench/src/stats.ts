/** Timing on a noisy shared machine: warm up, then sample until enough time and samples, report the median. */
export interface Timing {
  medianMs: number;
  samples: number;
  minMs: number;
}

export interface TimeOptions {
  warmup?: number;
  minSamples?: number;
  minSeconds?: number;
  maxSamples?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function time(fn: () => void, opts: TimeOptions = {}): Timing {
  const warmup = opts.warmup ?? 2;
  const minSamples = opts.minSamples ?? 7;
  const minMs = (opts.minSeconds ?? 0.4) * 1000;
  const maxSamples = opts.maxSamples ?? 1000;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxSamples && (samples.length < minSamples || performance.now() - start < minMs)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), samples: samples.length, minMs: Math.min(...samples) };
}

/** Interleaves the contenders round by round, so slow phases of the machine hit all of them alike. */
export function timeInterleaved(fns: Record<string, () => void>, opts: TimeOptions & { rounds?: number } = {}): Record<string, Timing> {
  const rounds = opts.rounds ?? 5;
  const per: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(fns)) {
    for (let i = 0; i < (opts.warmup ?? 2); i++) fn();
    per[name] = [];
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t = time(fn, { ...opts, warmup: 0, minSeconds: (opts.minSeconds ?? 0.4) / rounds, minSamples: Math.ceil((opts.minSamples ?? 7) / rounds) });
      per[name]!.push(t.medianMs);
    }
  }
  const out: Record<string, Timing> = {};
  for (const [name, xs] of Object.entries(per)) out[name] = { medianMs: median(xs), samples: xs.length, minMs: Math.min(...xs) };
  return out;
}
