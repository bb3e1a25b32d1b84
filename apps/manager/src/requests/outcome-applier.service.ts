import { Inject, Injectable, Logger } from '@nestjs/common';
import { canTransition, retryDelayMs, type RequestState } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Tx } from '../database/database.service';
import { EventsService, type PendingEvent, type StagedEvents } from '../messaging/events.service';
import { isLastStep, outputContentType } from '../workflows/workflow-steps';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { Dispatcher, type DispatchKey } from './dispatcher.service';
import { type Outcome } from './outcome';
import { eventOf, LIVE_STATES, rowColumns, type RequestRow } from './request-row';
import { RequestCounters, type DropReason } from './request-counters';
import { RequestTimings } from './request-timings';
import { RowWriter, type DeadlineChange, type RowWrite } from './row-writer';

/** What a transaction decided, to carry out once it committed. */
export interface AfterCommit {
  readonly events: PendingEvent[];
  readonly staged: StagedEvents;
  readonly dispatch: DispatchKey[];
}

interface Working {
  row: RequestRow;
  write: 'none' | 'update' | 'delete';
  input: Buffer | null;
  leaseMs: number | null;
  deadline: DeadlineChange;
  retryMs: number | null;
}

/**
 * Applies outcomes (worker responses, dead letters, timeouts) to request rows under the
 * protocol's transition table, fenced by attempt: an outcome for another attempt, for a request
 * no longer live, or from another worker type is dropped and counted. One transaction per batch:
 * rows locked in id order (no deadlocks between replicas), images written in bulk, terminal
 * events staged in the outbox; events, next-step jobs and retries are sent after commit.
 */
@Injectable()
export class OutcomeApplier {
  private readonly logger = new Logger('Outcomes');
  private readonly lockStatement;
  /** The after-commit work of the last batch {@link applyBatch} committed. */
  private carrying: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: DatabaseService,
    private readonly writer: RowWriter,
    private readonly events: EventsService,
    private readonly dispatcher: Dispatcher,
    private readonly config: ConfigService,
    private readonly catalogue: WorkerCatalogue,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    this.lockStatement = database.statement(
      'outcomes-lock',
      `SELECT ${rowColumns()} FROM ${database.table('requests')} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    );
  }

  /**
   * Applies a batch of outcomes in one transaction, then sends what follows from them. Resolves
   * once the batch is committed and the previous batch's sends are done: the sends of this batch
   * overlap the next batch's transaction. That is safe to acknowledge: terminal events are in the
   * outbox, next-step jobs are TO_DISPATCH under a lease, and informational events were never
   * more than best effort. Batches still commit one after the other, so RUNNING precedes SUCCESS.
   */
  async applyBatch(outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const after = await this.database.transaction(async (tx) => {
      const ids = [...new Set(outcomes.map((outcome) => outcome.requestId))];
      const rows = await tx.query<RequestRow>(this.lockStatement, [ids]);
      return this.applyLocked(tx, rows, outcomes);
    });
    const previous = this.carrying;
    this.carrying = this.carryOut(after).catch((error: unknown) =>
      this.logger.warn(`after-commit work failed: ${(error as Error).message}`),
    );
    await previous;
  }

  /** Resolves when the sends of the last applied batch are done (shutdown). */
  async settled(): Promise<void> {
    await this.carrying;
  }

  /** Applies outcomes to rows the caller locked in `tx`; call {@link carryOut} after commit. */
  async applyLocked(
    tx: Tx,
    rows: readonly RequestRow[],
    outcomes: readonly Outcome[],
  ): Promise<AfterCommit> {
    const working = new Map<string, Working>(
      rows.map((row) => [
        row.id,
        { row, write: 'none', input: null, leaseMs: null, deadline: 'keep', retryMs: null },
      ]),
    );
    const events: PendingEvent[] = [];
    const durable: PendingEvent[] = [];
    const appliedAt = Date.now();
    for (const outcome of outcomes) {
      const target = working.get(outcome.requestId);
      const drop = target ? this.fence(target, outcome) : 'unknown';
      if (drop) {
        this.counters.drop(drop);
        continue;
      }
      this.counters.apply(outcome.status);
      // Read before deciding: a workflow step's SUCCESS moves the row to the next worker type.
      this.timings.applied(
        target!.row.id,
        outcome.attempt,
        target!.row.worker_type,
        outcome.status,
        appliedAt,
      );
      this.decide(target!, outcome, events, durable);
    }
    const all = [...working.values()];
    await this.writer.update(
      tx,
      all
        .filter((item) => item.write === 'update')
        .map((item): RowWrite => ({ ...item, row: item.row })),
    );
    await this.writer.delete(
      tx,
      all.filter((item) => item.write === 'delete').map((item) => item.row.id),
    );
    const staged = await this.events.stage(tx, durable);
    const dispatch = all
      .filter((item) => item.write === 'update' && item.row.state === 'TO_DISPATCH')
      .map((item) => ({ id: item.row.id, attempt: item.row.attempt }));
    return { events, staged, dispatch };
  }

  /** After commit: informational events, terminal events, next jobs. */
  async carryOut(after: AfterCommit): Promise<void> {
    // One confirm wait instead of three in a row. The informational events are handed to the
    // channel first (synchronously), so a RUNNING still reaches a queue before its SUCCESS.
    await Promise.all([
      this.events
        .publish(after.events)
        .catch((error: unknown) =>
          this.logger.warn(`events not sent: ${(error as Error).message}`),
        ),
      this.events.deliver(after.staged),
      this.dispatcher.dispatchKeys(after.dispatch),
    ]);
  }

  private fence(target: Working, outcome: Outcome): DropReason | undefined {
    const { row } = target;
    if (target.write === 'delete') return 'late';
    if (outcome.attempt !== row.attempt) return 'stale';
    if (!LIVE_STATES.includes(row.state)) return 'late';
    if (outcome.workerType !== undefined && outcome.workerType !== row.worker_type) return 'forged';
    if (
      outcome.status === 'RUNNING' &&
      row.state === 'RUNNING' &&
      row.worker_id === (outcome.workerId ?? null)
    ) {
      return 'duplicate';
    }
    return undefined;
  }

  private decide(
    target: Working,
    outcome: Outcome,
    events: PendingEvent[],
    durable: PendingEvent[],
  ): void {
    const { row } = target;
    const move = (state: RequestState): boolean => {
      if (!canTransition(row.state, state)) {
        this.counters.drop('forbidden');
        return false;
      }
      row.state = state;
      target.write = target.write === 'delete' ? 'delete' : 'update';
      return true;
    };
    if (row.state === 'TO_DISPATCH') {
      // The worker answered before this replica recorded the broker's confirm: the job was
      // dispatched all the same, so the requester gets its GRANTED here (the dispatcher will not).
      events.push(eventOf(row, 'GRANTED', { messages: [] }));
      row.state = 'DISPATCHED';
      target.write = 'update';
      target.leaseMs = null;
      target.deadline = 'start';
    }
    switch (outcome.status) {
      case 'RUNNING':
        if (!move('RUNNING')) return;
        row.worker_id = outcome.workerId ?? row.worker_id;
        events.push(eventOf(row, 'RUNNING', { messages: [] }));
        return;
      case 'PROGRESS':
        if (row.state !== 'RUNNING' && move('RUNNING'))
          row.worker_id = outcome.workerId ?? row.worker_id;
        events.push(
          eventOf(row, 'PROGRESS', {
            progress: outcome.progress,
            messages: [],
            workerId: outcome.workerId,
          }),
        );
        return;
      case 'SUCCESS':
        return this.succeed(target, outcome, move, events, durable);
      default:
        return this.fail(target, outcome, move, events, durable);
    }
  }

  private succeed(
    target: Working,
    outcome: Outcome,
    move: (state: RequestState) => boolean,
    events: PendingEvent[],
    durable: PendingEvent[],
  ): void {
    const { row } = target;
    const outputType = outputContentType(
      outcome.contentType,
      this.config.worker(row.worker_type),
      row.input_content_type,
    );
    const meta = { ...row.meta, ...outcome.meta };
    if (outcome.workerId) row.worker_id = outcome.workerId;
    if (!isLastStep(row.steps, row.step)) {
      const next = row.steps[row.step + 1]!;
      const available = this.catalogue.isAvailable(next);
      if (!move(available ? 'TO_DISPATCH' : 'NO_WORKER_AVAILABLE')) return;
      row.step += 1;
      row.worker_type = next;
      row.input_content_type = outputType;
      row.input_mime = outcome.mimeType ?? null;
      row.meta = meta;
      row.messages = [];
      row.worker_id = null;
      target.input = outcome.body;
      target.deadline = 'clear';
      target.retryMs = null;
      if (available) {
        row.attempt += 1;
        row.cycle_attempts = 1;
        target.leaseMs = this.environment.dispatchLeaseMs;
      } else {
        row.cycle_attempts = 0;
        target.leaseMs = null;
        events.push(
          eventOf(row, 'DELAYED', {
            messages: [`no ${next} worker is available; step ${row.step} waits for one`],
          }),
        );
      }
      return;
    }
    const policy = this.config.policyFor(row.workflow, row.worker_type);
    if (!move('SUCCESS')) return;
    row.meta = meta;
    durable.push(
      eventOf(row, 'SUCCESS', {
        contentType: outputType,
        mimeType: outcome.mimeType,
        body: outcome.body,
        messages: outcome.messages,
        meta,
      }),
    );
    if (policy.keepSuccess) {
      row.messages = [...outcome.messages];
      target.leaseMs = null;
      target.deadline = 'clear';
    } else {
      target.write = 'delete';
    }
  }

  private fail(
    target: Working,
    outcome: Outcome,
    move: (state: RequestState) => boolean,
    events: PendingEvent[],
    durable: PendingEvent[],
  ): void {
    const { row } = target;
    const policy = this.config.policyFor(row.workflow, row.worker_type);
    const messages =
      outcome.messages.length > 0
        ? [...outcome.messages]
        : [
            outcome.status === 'ERROR'
              ? 'the worker reported an error'
              : 'the worker refused the content',
          ];
    if (outcome.workerId) row.worker_id = outcome.workerId;
    const canRetry =
      outcome.status === 'ERROR' &&
      outcome.retryable === true &&
      row.cycle_attempts < policy.retry.maxAttempts;
    if (canRetry) {
      const delay = retryDelayMs(policy.retry, row.cycle_attempts + 1);
      const note = `attempt ${row.cycle_attempts} of ${policy.retry.maxAttempts} failed; retrying in ${delay} ms`;
      const now = delay === 0 && this.catalogue.isAvailable(row.worker_type);
      if (!move(now ? 'TO_DISPATCH' : 'NO_WORKER_AVAILABLE')) return;
      row.messages = [...messages, note];
      row.worker_id = null;
      target.deadline = 'clear';
      if (now) {
        row.attempt += 1;
        row.cycle_attempts += 1;
        target.leaseMs = this.environment.dispatchLeaseMs;
        target.retryMs = null;
      } else {
        target.leaseMs = null;
        target.retryMs = delay;
        events.push(eventOf(row, 'DELAYED'));
      }
      return;
    }
    const finalState = outcome.status === 'ERROR' ? 'ERROR' : 'INVALID_CONTENT';
    if (!move(finalState)) return;
    row.messages = messages;
    target.leaseMs = null;
    target.deadline = 'clear';
    target.retryMs = null;
    durable.push(eventOf(row, finalState));
    if (!policy.keepErrors) target.write = 'delete';
  }
}
