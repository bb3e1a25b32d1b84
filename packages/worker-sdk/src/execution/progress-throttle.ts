/**
 * Throttles one job's progress reports: a value is sent at once when the last one is at least
 * `intervalMs` old; otherwise only the latest value is kept and sent when the window ends. Once
 * the job is finished, nothing more is sent, so a PROGRESS never follows the final response.
 */
export class ProgressThrottle {
  private lastSentAt = -Infinity;
  private lastSent: number | undefined;
  private pending: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (percent: number) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  report(percent: number): Promise<void> {
    if (typeof percent !== 'number' || !Number.isFinite(percent)) {
      return Promise.reject(
        new TypeError(
          `ctx.progress(): percent must be a number from 0 to 100, got ${String(percent)}`,
        ),
      );
    }
    const value = Math.min(100, Math.max(0, Math.round(percent)));
    if (this.finished || value === this.lastSent) return Promise.resolve();
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) return this.flush(value);
    this.pending = value;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const next = this.pending;
      this.pending = undefined;
      if (next !== undefined) void this.flush(next);
    }, wait);
    this.timer.unref();
    return Promise.resolve();
  }

  /** The job is done: drop a pending report. */
  finish(): void {
    this.finished = true;
    this.pending = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(value: number): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.lastSentAt = this.now();
    this.lastSent = value;
    return this.send(value);
  }
}
