// Fuzz progress on stderr: a bar redrawn in place on a terminal; on a pipe (CI logs) a plain line every
// few seconds, since carriage returns make a mess of a log file. Findings are printed as they come.

export interface ProgressOptions {
  /** Redraw in place (a terminal) or print plain lines. */
  tty: boolean;
  /** Print nothing but the findings. */
  quiet: boolean;
  /** Seconds between plain lines. */
  lineEverySeconds?: number;
}

const BAR_WIDTH = 28;
const REDRAW_MS = 100;

export class Progress {
  private readonly started = performance.now();
  private lastDraw = -Infinity;
  private drawn = false;
  private done = 0;
  private findings = 0;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly total: number,
    private readonly options: ProgressOptions,
  ) {}

  /** A seed finished; `findings` counts seeds with findings so far. */
  update(done: number, findings: number): void {
    this.done = done;
    this.findings = findings;
    const now = performance.now();
    const every = this.options.tty ? REDRAW_MS : (this.options.lineEverySeconds ?? 10) * 1000;
    if (now - this.lastDraw >= every) this.draw(now);
  }

  /** A line that stays (a finding, a notice), printed above the bar. */
  note(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    if (this.drawn) this.draw(performance.now());
  }

  /** The last state, and the bar's line ended. */
  finish(): void {
    if (this.options.quiet) return;
    this.draw(performance.now());
    if (this.options.tty) this.out.write('\n');
    this.drawn = false;
  }

  private status(now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 && this.total > this.done ? `, eta ${Math.ceil((this.total - this.done) / rate)} s` : '';
    return (
      `${this.done}/${this.total} seeds, ${rate.toFixed(1)} seeds/s, ${this.findings} ` +
      `finding${this.findings === 1 ? '' : 's'}${eta}`
    );
  }

  private draw(now: number): void {
    if (this.options.quiet) return;
    this.lastDraw = now;
    if (!this.options.tty) {
      this.out.write(`fuzz: ${this.status(now)}\n`);
      return;
    }
    const filled = this.total > 0 ? Math.round((BAR_WIDTH * this.done) / this.total) : BAR_WIDTH;
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    this.out.write(`\r\u001b[2K[${bar}] ${this.status(now)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.options.tty && this.drawn) this.out.write('\r\u001b[2K');
  }
}
