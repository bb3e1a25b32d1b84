import { resolvePolicy, RetryPolicy, type RequestState, type ResolvedPolicy } from '@org/protocol';
import { type EngineContext } from '../../src/requests/engine/engine-context';
import { type Outcome } from '../../src/requests/engine/outcome';
import { type RequestRow } from '../../src/requests/engine/request-row';
import { RowChange } from '../../src/requests/engine/row-change';

export const NOW = Date.parse('2027-03-01T12:00:00Z');

/** A request row with sensible defaults: a two-step workflow at step 0, dispatched once. */
export function rowOf(overrides: Partial<RequestRow> = {}): RequestRow {
  return {
    id: 'r-1',
    state: 'DISPATCHED',
    content_type: 'product/raw',
    workflow: 'product/ingest',
    steps: ['mover', 'extractor'],
    step: 0,
    worker_type: 'mover',
    attempt: 1,
    cycle_attempts: 1,
    input_content_type: 'product/raw',
    input_mime: null,
    meta: {},
    tenant: 'acme',
    owner: null,
    session: null,
    correlation_id: 'c-1',
    reply_to: null,
    traceparent: null,
    tracestate: null,
    messages: [],
    worker_id: null,
    timeout_ms: null,
    priority: 0,
    not_before: null,
    start_by: null,
    notify: 'all',
    accept_batch: false,
    parent_id: null,
    fair_key: null,
    ...overrides,
  };
}

export function changeOf(overrides: Partial<RequestRow> = {}): RowChange {
  return new RowChange(rowOf(overrides));
}

/** An engine context where every type but `unavailable` ones is alive. */
export function contextOf(
  options: {
    unavailable?: readonly string[];
    policy?: Partial<ResolvedPolicy>;
    retry?: Partial<RetryPolicy>;
    maxPayloadBytes?: number;
    grantAnsweredJobs?: boolean;
  } = {},
): EngineContext {
  const retry = Object.assign(new RetryPolicy(), options.retry ?? {});
  const policy: ResolvedPolicy = { ...resolvePolicy({}), retry, ...options.policy };
  return {
    now: NOW,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024,
    grantAnsweredJobs: options.grantAnsweredJobs ?? false,
    isAvailable: (type) => !(options.unavailable ?? []).includes(type),
    failurePolicy: () => policy,
    fairKey: () => null,
    outputContentType: (_type, responseContentType, input) => responseContentType ?? input,
  };
}

export function outcomeOf(status: Outcome['status'], overrides: Partial<Outcome> = {}): Outcome {
  return {
    requestId: 'r-1',
    attempt: 1,
    status,
    workerType: 'mover',
    workerId: 'mover-a',
    messages: [],
    meta: {},
    body: Buffer.alloc(0),
    ...overrides,
  };
}

export const OUTSTANDING: RequestState[] = ['TO_DISPATCH', 'DISPATCHED', 'RUNNING'];
export const WAITING: RequestState[] = ['NO_WORKER_AVAILABLE', 'QUEUED', 'SCHEDULED'];
export const FINISHED: RequestState[] = ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED'];
