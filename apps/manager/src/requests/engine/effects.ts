import { type EventInput, type EventState, type NotifyMode } from '@org/protocol';
import { isCoordinator, isStepRow, requestIdOf } from './graph-rows';
import { type RequestRow } from './request-row';

/** An event for a request's requester: on `<ns>.events`, and to its replyTo queue when it set one. */
export interface PendingEvent {
  readonly event: EventInput;
  readonly replyTo: string | null;
  /** The requester's `wm-notify`: events it did not ask for are not sent. */
  readonly notify: NotifyMode;
  /** The replyTo queue accepts event batches (`wm-accept-batch`). */
  readonly acceptBatch: boolean;
  /**
   * Set on events about one step of a graph request: informational ones reach the requester,
   * terminal ones never do (the request's own outcome follows when its graph settles).
   */
  readonly graphStep?: true;
}

/** A cancel order for a job that may still be running or waiting in its queue. */
export interface CancelOrder {
  readonly requestId: string;
  readonly attempt: number;
  readonly workerType: string;
  /** The instance known to hold it, if any (the order goes to the whole type as well). */
  readonly workerId: string | null;
  readonly reason: string;
}

/**
 * What a set of decisions asks for beyond the row writes, carried out after commit:
 * informational events (best effort), terminal events (staged in the outbox, at least once),
 * cancel orders, and the worker types whose waiting requests may now be dispatched.
 */
export class Effects {
  readonly events: PendingEvent[] = [];
  readonly terminal: PendingEvent[] = [];
  readonly cancels: CancelOrder[] = [];
  readonly wake = new Set<string>();
  /** Graph requests created by these decisions: their root steps are created on commit. */
  readonly graphs = new Set<string>();
}

/** Extra fields of an event beyond what the row gives. */
export type EventExtra = Partial<
  Pick<
    EventInput,
    | 'contentType'
    | 'mimeType'
    | 'body'
    | 'progress'
    | 'messages'
    | 'meta'
    | 'workerId'
    | 'workerType'
  >
>;

/** An event about a row, with everything the requester is owed: ids, metadata, step, worker, messages. */
export function eventOf(row: RequestRow, state: EventState, extra: EventExtra = {}): PendingEvent {
  const step = isStepRow(row);
  return {
    replyTo: row.reply_to,
    notify: row.notify,
    acceptBatch: row.accept_batch,
    ...(step ? { graphStep: true as const } : {}),
    event: {
      requestId: requestIdOf(row),
      state,
      requestContentType: row.content_type,
      contentType: extra.contentType,
      workflow: row.workflow ?? undefined,
      step: row.step,
      attempt: row.attempt > 0 ? row.attempt : undefined,
      // A graph request's own row names no worker type (its steps do).
      workerType: extra.workerType ?? (isCoordinator(row) ? undefined : row.worker_type),
      workerId: extra.workerId ?? row.worker_id ?? undefined,
      messages: extra.messages ?? row.messages,
      progress: extra.progress,
      meta: extra.meta ?? row.meta,
      correlationId: row.correlation_id ?? undefined,
      mimeType: extra.mimeType,
      body: extra.body,
      tenant: row.tenant ?? undefined,
      owner: row.owner ?? undefined,
      session: row.session ?? undefined,
      traceparent: row.traceparent ?? undefined,
      tracestate: row.tracestate ?? undefined,
    },
  };
}
