/**
 * A terminal progress bar for long work. On a TTY it redraws one line; elsewhere (CI, pipes) it prints
 * a line at most every few seconds and at the end, so logs stay readable. Lines fit the terminal's
 * width (80 columns when it is not a terminal). In browsers it is silent unless given a writer.
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

/** The narrowest bar drawn when the line is long. */
const MIN_BAR = 6;

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
    // In a log, the first line comes after the first interval: work shorter than that logs one line, finish()'s.
    if (this.writer?.isTTY !== true) this.lastDraw = this.start;
  }

  /**
   * Advances to `current` and shows `info` (e.g. "loss 0.31 acc 91.2% 5,120 img/s"): redrawn at most
   * every 0.1 s on a terminal; in a log, a line at most every 5 s, and none at the end (finish() writes it).
   */
  update(current: number, info = ''): void {
    this.current = Math.min(current, this.total);
    const now = Date.now();
    const tty = this.writer?.isTTY === true;
    if (tty ? this.current < this.total && now - this.lastDraw < 100 : this.current >= this.total || now - this.lastDraw < 5000) return;
    this.lastDraw = now;
    this.draw(info, tty);
  }

  /** Completes the bar and ends its line. */
  finish(info = ''): void {
    this.current = this.total;
    this.draw(info, this.writer?.isTTY === true);
    if (this.writer?.isTTY) this.writer.write('\n');
  }

  /**
   * The line for the current state, fitted to `columns` (a terminal's width; 80 when not a terminal):
   * the bar shrinks first (down to 6 cells), and only then is the end of `info` cut, marked by "…".
   * A finished bar shows the elapsed time instead of the counts and the ETA.
   */
  render(info = '', columns = this.columns()): string {
    const frac = this.total > 0 ? this.current / this.total : 1;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
    const tail = (frac < 1 ? ` ${this.current}/${this.total} eta ${formatDuration(eta)}` : ` ${formatDuration(elapsed)}`) + (info ? `  ${info}` : '');
    const head = this.label ? `${this.label} ` : '';
    // The last column stays free: a terminal wraps a line that fills it.
    const room = columns - 1;
    const width = Math.max(MIN_BAR, Math.min(this.width, room - head.length - tail.length));
    const filled = Math.round(frac * width);
    const line = head + '█'.repeat(filled) + '░'.repeat(width - filled) + tail;
    return line.length > room ? `${line.slice(0, room - 1)}…` : line;
  }

  private columns(): number {
    return this.writer?.isTTY === true ? (this.writer.columns ?? 80) : 80;
  }

  private draw(info: string, tty: boolean): void {
    if (this.writer === null) return;
    const line = this.render(info);
    if (tty) {
      this.writer.write(`\r\x1b[2K${line}`);
    } else {
      this.writer.write(`${line}\n`);
    }
  }
}
