import { type ResponseStatus } from '@org/protocol';

/** Live statistics of one worker instance, as reported in heartbeats. */
export interface WorkerStatsSnapshot {
  /** Jobs received and not yet settled (acked or requeued). */
  readonly inFlight: number;
  /** Jobs answered since start, whatever the answer. */
  readonly processed: number;
  /** Jobs answered ERROR or INVALID_CONTENT since start. */
  readonly failed: number;
  /** Mean handler duration of the processed jobs, in ms. */
  readonly avgDurationMs: number;
}

export class StatsCollector {
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
