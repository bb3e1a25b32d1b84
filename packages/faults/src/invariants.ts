import { waitFor } from '@org/testkit';
import { type ExecutionLog } from './execution-log';
import { type FaultNamespace } from './fault-namespace';
import { type Requester } from './requester';

/** Row states that need a live job (or a live worker) behind them once the system settles. */
const LIVE_STATES = ['TO_DISPATCH', 'DISPATCHED', 'RUNNING', 'NO_WORKER_AVAILABLE'];

export interface InvariantInput {
  readonly ns: FaultNamespace;
  readonly requester: Requester;
  readonly executions: ExecutionLog;
  /** Every request accepted (publisher-confirmed, or answered 2xx by REST). */
  readonly accepted: readonly string[];
  /** Requests of the healthy traffic, which must end in SUCCESS. @default accepted */
  readonly healthy?: readonly string[];
  /** The terminal state a request must end in, when it is not SUCCESS. @default SUCCESS for healthy ones */
  readonly expected?: (id: string) => string | undefined;
  /** The fault allowed a job to be delivered again (crash, lost connection). @default false */
  readonly redeliveryAllowed?: boolean;
  /** How long the system may take to settle. @default 90000 */
  readonly settleMs?: number;
}

export interface InvariantReport {
  readonly requests: number;
  /** Accepted, yet neither a terminal event nor a row. */
  readonly lost: string[];
  /** Rows in a live state (or accepted requests without a terminal event) once settled. */
  readonly stranded: string[];
  /** Requests that reached two different terminal states in one cycle. */
  readonly conflicting: string[];
  /** Handler executions beyond the first, summed over requests. */
  readonly duplicates: number;
  /** Requests executed more than once. */
  readonly duplicatedRequests: string[];
  /** Terminal events repeated with the same state. */
  readonly duplicateEvents: number;
  /** Ended in another state than expected. */
  readonly wrongOutcome: string[];
  readonly outboxLeft: number;
  readonly settledMs: number;
  readonly violations: string[];
}

/**
 * The one invariant checker every scenario ends with. It lets the system settle (the manager's
 * sweeps re-publish expired leases, drain waiting requests and relay the outbox), then checks:
 * every accepted request has a committed row or has ended; exactly one terminal outcome per
 * request; nothing lost; nothing stranded; handler executions per request id (duplicates only
 * where the fault allowed a redelivery); healthy traffic served.
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const { ns, requester, executions, accepted } = input;
  const healthy = new Set(input.healthy ?? accepted);
  const expected = (id: string) =>
    input.expected?.(id) ?? (healthy.has(id) ? 'SUCCESS' : undefined);
  const started = Date.now();
  const liveRows = async () =>
    ns.query<{ id: string; state: string }>(
      `SELECT id, state FROM requests WHERE state = ANY($1::text[])`,
      [LIVE_STATES],
    );
  const outbox = async () =>
    (await ns.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox'))[0]?.n ?? 0;
  await waitFor(
    async () =>
      accepted.every((id) => requester.terminals(id).length > 0) &&
      (await liveRows()).length === 0 &&
      (await outbox()) === 0,
    { timeoutMs: input.settleMs ?? 90_000, intervalMs: 250, what: 'the system to settle' },
  ).catch(() => undefined);
  const settledMs = Date.now() - started;

  const rows = new Map(
    (await ns.query<{ id: string; state: string }>('SELECT id, state FROM requests')).map((row) => [
      row.id,
      row.state,
    ]),
  );
  const live = await liveRows();
  const outboxLeft = await outbox();
  const lost: string[] = [];
  const stranded = new Set(live.map((row) => row.id));
  const conflicting: string[] = [];
  const wrongOutcome: string[] = [];
  let duplicateEvents = 0;
  for (const id of accepted) {
    const terminals = requester.terminals(id);
    if (terminals.length === 0) {
      if (rows.has(id)) stranded.add(id);
      else lost.push(id);
      continue;
    }
    const states = new Set(terminals.map((event) => event.state));
    if (states.size > 1) conflicting.push(id);
    duplicateEvents += terminals.length - states.size;
    const want = expected(id);
    if (want !== undefined && !states.has(want)) wrongOutcome.push(id);
  }
  const starts = executions.starts();
  let duplicates = 0;
  const duplicatedRequests: string[] = [];
  for (const id of accepted) {
    const count = starts.get(id) ?? 0;
    if (count > 1) {
      duplicates += count - 1;
      duplicatedRequests.push(id);
    }
  }

  const violations: string[] = [];
  const sample = (ids: readonly string[]) => ids.slice(0, 5).join(', ');
  if (lost.length > 0) violations.push(`${lost.length} lost (${sample(lost)})`);
  if (stranded.size > 0) violations.push(`${stranded.size} stranded (${sample([...stranded])})`);
  if (conflicting.length > 0)
    violations.push(`${conflicting.length} with two terminal states (${sample(conflicting)})`);
  if (wrongOutcome.length > 0)
    violations.push(
      `${wrongOutcome.length} ended in an unexpected state (${wrongOutcome
        .slice(0, 5)
        .map((id) => `${id}: ${requester.outcome(id) ?? 'none'}`)
        .join(', ')})`,
    );
  if (outboxLeft > 0) violations.push(`${outboxLeft} event(s) left in the outbox`);
  if (!input.redeliveryAllowed && duplicates > 0)
    violations.push(`${duplicates} duplicate execution(s) where no redelivery was possible`);
  if (!input.redeliveryAllowed && duplicateEvents > 0)
    violations.push(`${duplicateEvents} terminal event(s) sent twice where no fault allowed it`);
  return {
    requests: accepted.length,
    lost,
    stranded: [...stranded],
    conflicting,
    duplicates,
    duplicatedRequests,
    duplicateEvents,
    wrongOutcome,
    outboxLeft,
    settledMs,
    violations,
  };
}
