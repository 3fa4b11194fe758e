/**
 * A terminal progress bar for long work. On a TTY it redraws one line; elsewhere (CI, pipes) it prints
 * a line at most every few seconds and at the end, so logs stay readable. In browsers it is silent
 * unless given a writer.
 */
export interface ProgressWriter {
  write(s: string): void;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

function defaultWriter(): ProgressWriter | null {
  const p = (globalThis as { process?: { stderr?: ProgressWriter } }).process;
  return p?.stderr ?? null;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressBar {
  private current = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private readonly writer: ProgressWriter | null;

  constructor(
    readonly total: number,
    readonly label = '',
    writer?: ProgressWriter | null,
    private readonly width = 28,
  ) {
    this.writer = writer === undefined ? defaultWriter() : writer;
  }

  /** Advances to `current` and shows `info` (e.g. "loss 0.31 acc 91.2% 5,120 img/s"). */
  update(current: number, info = ''): void {
    this.current = Math.min(current, this.total);
    const now = Date.now();
    const tty = this.writer?.isTTY === true;
    const interval = tty ? 100 : 5000;
    if (this.current < this.total && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    this.draw(info, tty);
  }

  /** Completes the bar and ends its line. */
  finish(info = ''): void {
    this.current = this.total;
    this.draw(info, this.writer?.isTTY === true);
    if (this.writer?.isTTY) this.writer.write('\n');
  }

  render(info = ''): string {
    const frac = this.total > 0 ? this.current / this.total : 1;
    const filled = Math.round(frac * this.width);
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
    const timing = frac < 1 ? `eta ${formatDuration(eta)}` : `${formatDuration(elapsed)}`;
    return `${this.label}${this.label ? ' ' : ''}${bar} ${this.current}/${this.total} ${timing}${info ? `  ${info}` : ''}`;
  }

  private draw(info: string, tty: boolean): void {
    if (this.writer === null) return;
    let line = this.render(info);
    if (tty) {
      const cols = this.writer.columns ?? 120;
      if (line.length > cols - 1) line = line.slice(0, cols - 1);
      this.writer.write(`\r\x1b[2K${line}`);
    } else {
      this.writer.write(`${line}\n`);
    }
  }
}
