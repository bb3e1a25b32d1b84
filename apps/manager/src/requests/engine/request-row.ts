import { type NotifyMode, type RequestState } from '@org/protocol';

/**
 * A request row as the engine reads and writes it: every column but the payloads. The names are
 * the columns' own, so rows come from PostgreSQL without a mapping step on the hot path.
 */
export interface RequestRow {
  id: string;
  state: RequestState;
  /** The content type the requester submitted. */
  content_type: string;
  workflow: string | null;
  /** Worker types of the steps, in order (one for a single worker type). */
  steps: string[];
  step: number;
  /** Worker type of the current step. */
  worker_type: string;
  /** Dispatches so far: the fencing token of the current job. */
  attempt: number;
  /** Dispatches of the current step in this cycle (the retry policy counts them). */
  cycle_attempts: number;
  /** Business content type of the current step's input. */
  input_content_type: string;
  input_mime: string | null;
  /** `wm-meta-*` headers carried so far. */
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
  /** The failure policy's timeout, copied at intake (ms). */
  timeout_ms: number | null;
  /** `wm-priority`, 0–9. */
  priority: number;
  /** Dispatched no earlier than this (SCHEDULED: `wm-not-before` or a retry backoff). */
  not_before: Date | null;
  /** `wm-deadline`: not started by then → ERROR; cleared once a worker answered. */
  start_by: Date | null;
  notify: NotifyMode;
  accept_batch: boolean;
  parent_id: string | null;
  /**
   * The tenant or owner the current step's worker type rotates over (`fairness`), '' for none
   * given, null when the type has no fairness: the backlog order of fair types.
   */
  fair_key: string | null;
  /**
   * Graph workflows (design 5.4): on the request's own row (the coordinator) its own id, on a
   * step row the request's id; null (or absent, in rows built before graphs) for a chain or a
   * single worker type.
   */
  graph_of?: string | null;
  /** The graph step a step row runs (`wm-step-id`); null on other rows. */
  step_id?: string | null;
}

/** A row with what a job needs: its arrival order and its current step's input. */
export interface DispatchRow extends RequestRow {
  seq: string;
  input: Buffer;
  /**
   * Publish this job alone, never in a job batch: its last batch was dead-lettered, and only a
   * job that kills its worker alone may be condemned (design 5.2). Not stored.
   */
  alone?: boolean;
}

/** The columns of {@link RequestRow}, for SELECT and RETURNING lists. */
export const ROW_COLUMNS: readonly (keyof RequestRow)[] = [
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
  'priority',
  'not_before',
  'start_by',
  'notify',
  'accept_batch',
  'parent_id',
  'fair_key',
  'graph_of',
  'step_id',
];

/** `a.id, a.state, …` for a SELECT or RETURNING list. */
export function rowColumns(alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return ROW_COLUMNS.map((column) => `${prefix}${column}`).join(', ');
}

/**
 * {@link rowColumns} plus the arrival order and the input, in base64 as `input_base64`: pg reads
 * `bytea` as hex text (twice the payload, as a wire buffer and again as a string), base64 costs
 * a third more instead, and Node decodes it faster.
 */
export function dispatchColumns(alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return `${rowColumns(alias)}, ${prefix}seq, encode(${prefix}input, 'base64') AS input_base64`;
}
