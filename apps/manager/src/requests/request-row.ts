import { type EventInput, type EventState, type JobInput, type RequestState } from '@org/protocol';
import { type PendingEvent } from '../messaging/events.service';

/** A request row as the hot paths read it (never the input bytes, unless dispatching). */
export interface RequestRow {
  id: string;
  state: RequestState;
  /** The content type the requester submitted. */
  content_type: string;
  workflow: string | null;
  steps: string[];
  step: number;
  worker_type: string;
  attempt: number;
  cycle_attempts: number;
  input_content_type: string;
  input_mime: string | null;
  meta: Record<string, string>;
  tenant: string | null;
  owner: string | null;
  session: string | null;
  correlation_id: string | null;
  reply_to: string | null;
  traceparent: string | null;
  tracestate: string | null;
  messages: string[];
  worker_id: string | null;
  timeout_ms: number | null;
}

/** A row with what a job needs: its input and its arrival order. */
export interface DispatchRow extends RequestRow {
  seq: string;
  input: Buffer;
}

/** The columns of {@link RequestRow}, for SELECT and RETURNING lists (prefix with an alias). */
export function rowColumns(alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return [
    'id',
    'state',
    'content_type',
    'workflow',
    'steps',
    'step',
    'worker_type',
    'attempt',
    'cycle_attempts',
    'input_content_type',
    'input_mime',
    'meta',
    'tenant',
    'owner',
    'session',
    'correlation_id',
    'reply_to',
    'traceparent',
    'tracestate',
    'messages',
    'worker_id',
    'timeout_ms',
  ]
    .map((column) => `${prefix}${column}`)
    .join(', ');
}

export function dispatchColumns(alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return `${rowColumns(alias)}, ${prefix}seq, ${prefix}input`;
}

export const LIVE_STATES: readonly RequestState[] = ['TO_DISPATCH', 'DISPATCHED', 'RUNNING'];

/** The job of a row's current step and attempt. */
export function jobOf(row: DispatchRow, messageId: string): JobInput {
  return {
    requestId: row.id,
    attempt: row.attempt,
    workerType: row.worker_type,
    contentType: row.input_content_type,
    workflow: row.workflow ?? undefined,
    step: row.step,
    meta: row.meta,
    messageId,
    correlationId: row.correlation_id ?? undefined,
    mimeType: row.input_mime ?? undefined,
    body: row.input,
    tenant: row.tenant ?? undefined,
    owner: row.owner ?? undefined,
    session: row.session ?? undefined,
    traceparent: row.traceparent ?? undefined,
    tracestate: row.tracestate ?? undefined,
  };
}

/** An event about a row, with everything the requester is owed: ids, metadata, step, worker, messages. */
export function eventOf(
  row: RequestRow,
  state: EventState,
  extra: Partial<
    Pick<
      EventInput,
      'contentType' | 'mimeType' | 'body' | 'progress' | 'messages' | 'meta' | 'workerId'
    >
  > = {},
): PendingEvent {
  return {
    replyTo: row.reply_to,
    event: {
      requestId: row.id,
      state,
      requestContentType: row.content_type,
      contentType: extra.contentType,
      workflow: row.workflow ?? undefined,
      step: row.step,
      attempt: row.attempt > 0 ? row.attempt : undefined,
      workerType: row.worker_type,
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
