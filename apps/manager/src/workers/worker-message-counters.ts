import { Injectable } from '@nestjs/common';
import { type WorkerMessageKind } from '@org/protocol';

/**
 * What this replica took from the shared liveness queue: one count per broker delivery (a batch
 * retried after a database error is not counted twice; a message the broker redelivers is).
 * Summed over the replicas, `received` is the broker's delivery count for the queue.
 */
@Injectable()
export class WorkerMessageCounters {
  readonly received: Record<WorkerMessageKind, number> = {
    register: 0,
    heartbeat: 0,
    unregister: 0,
  };
  /** Messages that broke the contract (bad routing key, body or type): acknowledged and dropped. */
  invalid = 0;
  /** Batches written to PostgreSQL. */
  batches = 0;
}
