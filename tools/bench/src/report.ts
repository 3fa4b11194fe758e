/** Benchmark rows, their table, and the JSON file they are written to. */
export interface Row {
  suite: string;
  case: string;
  /** Which of our variants (e.g. simd128, relaxed). */
  ours: string;
  metric: string;
  /** Higher is better. */
  value: number;
  peer: string;
  peerValue: number;
  /** ours / peer (> 1: we are faster). */
  ratio: number;
  /** The lowest and highest of the per-round ratios whose median is `ratio` (suites that alternate in rounds). */
  ratioRange?: [number, number] | null;
  medianMs?: number;
  peerMedianMs?: number;
  /** Threads ours ran on (the peer row's PyTorch ran on as many). */
  threads?: number;
  /** value over the same case's 1-thread value, in the same run (rows at 2+ threads). */
  speedup?: number;
}

/** Fills `speedup` of every row at 2+ threads from the row of the same case, variant and peer at 1 thread. */
export function withSpeedups(rows: Row[]): Row[] {
  const base = (r: Row) => `${r.case}|${r.ours.replace(/ \d+t$/, '')}|${r.peer.replace(/\d+ threads?/, '')}`;
  const one = new Map(rows.filter((r) => (r.threads ?? 1) === 1).map((r) => [base(r), r.value]));
  for (const r of rows) {
    const v = one.get(base(r));
    if ((r.threads ?? 1) > 1 && v !== undefined) r.speedup = r.value / v;
  }
  return rows;
}

export interface SuiteOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

function num(v: number): string {
  if (Number.isNaN(v)) return '—'; // no peer figure (e.g. PyTorch not installed)
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['suite', 'case', 'ours', 'value', 'vs 1 thread', 'peer', 'peer value', 'ratio'];
  const body = rows.map((r) => [
    r.suite,
    r.case,
    r.ours,
    `${num(r.value)} ${r.metric}`,
    r.speedup === undefined ? '' : `${r.speedup.toFixed(2)}x`,
    r.peer,
    Number.isNaN(r.peerValue) ? '—' : `${num(r.peerValue)} ${r.metric}`,
    Number.isNaN(r.ratio) ? '—' : `${r.ratio.toFixed(2)}x${r.ratioRange ? ` (${r.ratioRange[0].toFixed(2)}-${r.ratioRange[1].toFixed(2)})` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i !== 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
