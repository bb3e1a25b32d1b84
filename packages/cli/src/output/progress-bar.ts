import { type Terminal } from './terminal';

const BAR_WIDTH = 30;

/**
 * A one-line progress bar on stderr, redrawn in place; drawn only on an interactive terminal,
 * so pipes and CI logs stay clean. Redraws at most every 100 ms.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly label: string,
  ) {}

  update(done: number, total: number, suffix = ''): void {
    if (!this.terminal.interactive) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const ratio = total <= 0 ? 0 : Math.min(1, done / total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
    process.stderr.write(
      `\r${this.label} [${bar}] ${Math.round(ratio * 100)
        .toString()
        .padStart(3)}% ${suffix}\u001b[K`,
    );
    this.drawn = true;
  }

  /** Leaves the line so what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }
}
