import { type ResponseStatus } from '@org/protocol';

/** Live statistics of one worker instance, as reported in heartbeats. */
export interface WorkerStatsSnapshot {
  /** Jobs received and not yet finished (answer confirmed, or settled without one). */
  readonly inFlight: number;
  /** Jobs answered since start (the answer confirmed by the broker), whatever the answer. */
  readonly processed: number;
  /** Jobs answered ERROR or INVALID_CONTENT since start. */
  readonly failed: number;
  /** Mean handler duration of the processed jobs, in ms. */
  readonly avgDurationMs: number;
  /** Jobs answered ERROR without running because their deadline had passed (also in `processed` and `failed`). */
  readonly expired: number;
  /** Jobs acknowledged without running or answering because a cancel order for them came first. */
  readonly cancelledInQueue: number;
  /** Job messages or batch items without a readable request id and attempt (dead-lettered or dropped). */
  readonly malformed: number;
}

export class StatsCollector {
  expired = 0;
  cancelledInQueue = 0;
  malformed = 0;
  private processedCount = 0;
  private failedCount = 0;
  private totalDurationMs = 0;
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();

  record(status: ResponseStatus, durationMs: number): void {
    this.processedCount += 1;
    this.totalDurationMs += durationMs;
    if (status !== 'SUCCESS') this.failedCount += 1;
  }

  snapshot(inFlight: number): WorkerStatsSnapshot {
    return {
      inFlight,
      processed: this.processedCount,
      failed: this.failedCount,
      avgDurationMs:
        this.processedCount === 0
          ? 0
          : Math.round((this.totalDurationMs / this.processedCount) * 100) / 100,
      expired: this.expired,
      cancelledInQueue: this.cancelledInQueue,
      malformed: this.malformed,
    };
  }

  /** CPU used by the process since the previous call, in percent of one core. */
  cpuPercent(): number {
    const now = performance.now();
    const used = process.cpuUsage(this.lastCpu);
    const elapsedMs = now - this.lastCpuAt;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    if (elapsedMs <= 0) return 0;
    return Math.round(((used.user + used.system) / 1000 / elapsedMs) * 10_000) / 100;
  }
}
