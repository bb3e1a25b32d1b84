import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService, type Tx } from '../database/database.service';
import { type AfterCommit, ChangeCommitter } from './change-committer.service';
import { EngineContextFactory } from './engine-context.factory';
import { Effects } from './engine/effects';
import { type Outcome } from './engine/outcome';
import { redispatchAlone } from './engine/dispatch';
import { unroute } from './engine/operations';
import { applyOutcome } from './engine/responses';
import { rowFor, rowIdsToLock } from './engine/graph-rows';
import { RowChange } from './engine/row-change';
import { RequestCounters } from './request-counters';
import { RequestTimings } from './request-timings';
import { type ClaimedJobs, NO_JOBS } from './dispatch/claimed-jobs';
import { Dispatcher } from './dispatch/dispatcher.service';
import { DispatchRepository, type DispatchKey } from './store/dispatch.repository';
import { RequestsRepository } from './store/requests.repository';

/** Committed batches whose sends (events, jobs, cancel orders) may be awaiting confirms at once. */
const CARRY_DEPTH = 4;

/**
 * Applies outcomes (worker responses, dead letters) to request rows: one transaction per batch,
 * rows locked in id order (no deadlocks between replicas), each outcome decided by the engine
 * and fenced by attempt, images written in bulk, terminal events staged in the outbox, freed
 * window slots refilled; events, jobs and cancel orders sent after commit.
 */
@Injectable()
export class OutcomesService {
  private readonly logger = new Logger('Outcomes');
  /** The after-commit work of the batches {@link applyBatch} committed, oldest first. */
  private readonly carrying: Promise<void>[] = [];

  constructor(
    private readonly database: DatabaseService,
    private readonly requests: RequestsRepository,
    private readonly committer: ChangeCommitter,
    private readonly contexts: EngineContextFactory,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    private readonly dispatch: DispatchRepository,
    private readonly dispatcher: Dispatcher,
  ) {}

  /**
   * Applies a batch of outcomes in one transaction, then sends what follows from them. Resolves
   * once the batch is committed and the previous batch's sends are done: the sends of this batch
   * overlap the next batch's transaction. That is safe to acknowledge: terminal events are in the
   * outbox, claimed jobs are TO_DISPATCH under a lease, and informational events were never
   * more than best effort. Batches still commit one after the other, so RUNNING precedes SUCCESS.
   */
  async applyBatch(outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const after = await this.database.transaction((tx) => this.applyInTx(tx, outcomes));
    const carried = this.committer
      .carryOut(after)
      .catch((error: unknown) =>
        this.logger.warn(`after-commit work failed: ${(error as Error).message}`),
      )
      .finally(() => this.carrying.splice(this.carrying.indexOf(carried), 1));
    this.carrying.push(carried);
    // The refill of a window waits for this: the next batch's transaction may start while the
    // last CARRY_DEPTH batches still wait for their confirms (quorum writes each wait for an
    // fsync), but no more, so what waits on the broker stays bounded.
    if (this.carrying.length > CARRY_DEPTH) await this.carrying[0];
  }

  /**
   * Jobs that came back unroutable (no queue bound for their type): their requests wait for a
   * worker again, if the job is still their current attempt. Returns how many were affected.
   */
  async applyUnroutable(keys: readonly DispatchKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    const { count, after } = await this.database.transaction(async (tx) => {
      const rows = await this.requests.lock(
        tx,
        rowIdsToLock(keys.map((key) => [key.id, key.attempt] as const)),
      );
      const byId = new Map(rows.map((row) => [row.id, new RowChange(row)]));
      const effects = new Effects();
      const changes = keys
        .map((key) => {
          const change = rowFor(byId, key.id, key.attempt);
          return change?.row.attempt === key.attempt ? change : undefined;
        })
        .filter((change): change is RowChange => change !== undefined)
        .filter((change) => unroute(change, effects));
      return { count: changes.length, after: await this.committer.commit(tx, changes, effects) };
    });
    await this.committer.carryOut(after);
    return count;
  }

  /**
   * Jobs of a job batch their worker queue dead-lettered: each still current one is dispatched
   * again alone in its message (engine `redispatchAlone`), so that only a job that kills its
   * worker by itself ends ERROR. Returns how many were dispatched again.
   */
  async applyDeadLetteredBatch(keys: readonly DispatchKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    let jobs: ClaimedJobs = NO_JOBS;
    const after = await this.database.transaction(async (tx) => {
      const rows = await this.requests.lock(
        tx,
        rowIdsToLock(keys.map((key) => [key.id, key.attempt] as const)),
      );
      const byId = new Map(rows.map((row) => [row.id, new RowChange(row)]));
      const changes = keys
        .map((key) => ({ key, change: rowFor(byId, key.id, key.attempt) }))
        .filter(({ key, change }) => change && redispatchAlone(change, key.attempt))
        .map(({ change }) => change!);
      const committed = await this.committer.commit(tx, changes, new Effects());
      const loaded = await this.dispatch.load(
        tx,
        changes.map((change) => change.row.id),
      );
      jobs = this.dispatcher.reserve(
        tx,
        loaded.map((row) => ({ ...row, alone: true })),
      );
      return committed;
    });
    await Promise.all([this.committer.carryOut(after), this.dispatcher.publish(jobs)]);
    return jobs.rows.length;
  }

  /** Resolves when the sends of the last applied batch are done (shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.carrying]);
  }

  private async applyInTx(tx: Tx, outcomes: readonly Outcome[]): Promise<AfterCommit> {
    const rows = await this.requests.lock(
      tx,
      rowIdsToLock(outcomes.map((outcome) => [outcome.requestId, outcome.attempt] as const)),
    );
    const changes = new Map(rows.map((row) => [row.id, new RowChange(row)]));
    const context = this.contexts.context();
    const effects = new Effects();
    for (const outcome of outcomes) {
      const change = rowFor(changes, outcome.requestId, outcome.attempt);
      const workerType = change?.row.worker_type;
      const dropped = change
        ? applyOutcome(change, outcome, context, effects)
        : ('unknown' as const);
      if (dropped) {
        this.counters.drop(dropped);
        continue;
      }
      this.counters.apply(outcome.status);
      this.timings.applied(
        // The row's id: a graph step's job was timed under its step row.
        change?.row.id ?? outcome.requestId,
        outcome.attempt,
        workerType ?? '',
        outcome.status,
        context.now,
      );
    }
    return this.committer.commit(tx, [...changes.values()], effects);
  }
}
