import { type DropReason } from './engine/drop-reason';
import { Injectable } from '@nestjs/common';

/**
 * In-memory counters of this replica, for the metrics endpoint (which turns them into
 * Prometheus counters) and for tests. Monotonic since the replica started.
 */
@Injectable()
export class RequestCounters {
  /** Requests recorded by intake (AMQP and REST). */
  accepted = 0;
  /** Requests answered SKIPPED, by reason. */
  readonly skipped: Record<string, number> = {};
  /** Requests refused at intake as INVALID_CONTENT (`validatePayload`). */
  invalidPayloads = 0;
  /** Redeliveries of an already recorded request, absorbed. */
  redeliveries = 0;
  /** Jobs confirmed by the broker. */
  dispatched = 0;
  /** Worker responses applied, by status. */
  readonly applied: Record<string, number> = {};
  /** Responses dropped, by reason. */
  readonly dropped: Record<DropReason, number> = {
    stale: 0,
    late: 0,
    unknown: 0,
    forged: 0,
    duplicate: 0,
    invalid: 0,
    forbidden: 0,
  };
  /** Requests that timed out. */
  timedOut = 0;
  /** Jobs dead-lettered by worker queues. */
  deadLettered = 0;
  /** Jobs that came back unroutable. */
  unroutable = 0;

  drop(reason: DropReason): void {
    this.dropped[reason] += 1;
  }

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  apply(status: string): void {
    this.applied[status] = (this.applied[status] ?? 0) + 1;
  }

  /** Total responses dropped, all reasons. */
  droppedTotal(): number {
    return Object.values(this.dropped).reduce((sum, count) => sum + count, 0);
  }
}
