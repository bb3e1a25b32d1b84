import { type ChannelLease } from '@org/amqp-kit';
import { type DeliveredJob, type Part } from '@org/protocol';
import { type ConsumeMessage } from 'amqplib';

/**
 * One broker message this instance holds: a single job, or a batch frame of several. It is
 * settled once, when every job in it is finished: acked when every answer was confirmed,
 * requeued when one was not (or on shutdown), so a crash leaves the whole message for another
 * replica.
 */
export interface HeldMessage {
  /** The channel incarnation it came on: settlements go through it (never on another channel). */
  readonly lease: ChannelLease;
  readonly message: ConsumeMessage;
  /** A batch frame: its answers may go out as response batches. */
  readonly batch: boolean;
  /** Items not finished yet. */
  unfinished: number;
  /** Items that started (or were settled without running). */
  started: number;
  /** An answer was not confirmed: requeue the message once everything in it is finished. */
  failed: boolean;
  settled: boolean;
}

/** One admitted job of a held message, from admission to its confirmed answer. */
export interface HeldJob {
  readonly held: HeldMessage;
  readonly job: DeliveredJob;
  /** The job's own AMQP headers (an item's, inside a batch), as the handler sees them. */
  readonly headers: Readonly<Record<string, unknown>>;
  /** The parents' outputs, for a fan-in job. */
  readonly parts: readonly Part[] | undefined;
  started: boolean;
  finished: boolean;
  /** It occupies one of the `concurrency` slots (from its start until its handler returns). */
  slotHeld: boolean;
  /** Made on first use of the job's signal (see {@link signalOf}): most handlers never read it. */
  controller?: AbortController;
  /** Why the job was aborted (cancel order, shutdown), whether or not its signal exists yet. */
  abortReason?: Error;
  /** The trace context of the job's span (only while tracing): its response carries it. */
  trace?: { traceparent: string; tracestate?: string };
}

export function holdMessage(
  lease: ChannelLease,
  message: ConsumeMessage,
  batch: boolean,
  items: number,
): HeldMessage {
  return { lease, message, batch, unfinished: items, started: 0, failed: false, settled: false };
}

/** The job's AbortSignal, created on first use and already aborted if the job was. */
export function signalOf(job: HeldJob): AbortSignal {
  if (!job.controller) {
    job.controller = new AbortController();
    if (job.abortReason) job.controller.abort(job.abortReason);
  }
  return job.controller.signal;
}

/** Aborts the job's signal (now, or when it is first read); false if it was aborted already. */
export function abortJob(job: HeldJob, reason: Error): boolean {
  if (job.abortReason) return false;
  job.abortReason = reason;
  job.controller?.abort(reason);
  return true;
}
