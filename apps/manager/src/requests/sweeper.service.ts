import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Tx } from '../database/database.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { type AfterCommit, ChangeCommitter } from './change-committer.service';
import { NO_JOBS, type ClaimedJobs } from './dispatch/claimed-jobs';
import { Dispatcher } from './dispatch/dispatcher.service';
import { EngineContextFactory } from './engine-context.factory';
import { redispatch } from './engine/dispatch';
import { Effects } from './engine/effects';
import { type EngineContext } from './engine/engine-context';
import { timeOut } from './engine/failures';
import { type RequestRow } from './engine/request-row';
import { RowChange } from './engine/row-change';
import { expireStartBy, scheduleDue, wait } from './engine/waiting';
import { RequesterEvents } from './events/requester-events.service';
import { RequestCounters } from './request-counters';
import { retentionScopes } from './retention-scopes';
import { DispatchRepository } from './store/dispatch.repository';
import { SweepsRepository, type DueKind } from './store/sweeps.repository';

/** Rows per sweep transaction: bounded work and memory whatever the backlog. */
const SWEEP_BATCH = 500;
/** Rows per relabel or deletion statement. */
const BULK_BATCH = 1000;

type Decide = (change: RowChange, context: EngineContext, effects: Effects) => boolean;

/**
 * The periodic, replica-safe sweeps (every `WM_SWEEP_INTERVAL_MS`; rows claimed with
 * `FOR UPDATE SKIP LOCKED`, so replicas share the work and never do it twice):
 * - jobs whose dispatch lease expired (their replica died before the confirm) go out again;
 * - schedules that came due, requests whose `wm-deadline` passed while waiting, dispatched
 *   jobs past their timeout (and cancelled where they wait);
 * - waiting requests relabelled as their type comes and goes, and every live type's window
 *   refilled (a change this replica missed, a window freed by another replica's sweep);
 * - outbox events whose replica died are sent;
 * - kept rows past their retention, and finished ids past `WM_DEDUP_RETENTION_MS`, deleted.
 */
@Injectable()
export class Sweeper {
  private readonly logger = new Logger('Sweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly database: DatabaseService,
    private readonly sweeps: SweepsRepository,
    private readonly dispatch: DispatchRepository,
    private readonly dispatcher: Dispatcher,
    private readonly committer: ChangeCommitter,
    private readonly contexts: EngineContextFactory,
    private readonly events: RequesterEvents,
    private readonly catalogue: WorkerCatalogue,
    private readonly config: ConfigService,
    private readonly counters: RequestCounters,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass of every sweep (also callable from tests). */
  async sweep(): Promise<void> {
    await this.step('lease', () => this.untilDone(() => this.republishExpired()));
    await this.step('schedules', () => this.untilDone(() => this.due('scheduled', scheduleDue)));
    await this.step('deadlines', () => this.untilDone(() => this.due('startBy', expireStartBy)));
    await this.step('timeouts', () =>
      this.untilDone(() =>
        this.due('timeout', (change, context, effects) => {
          const applied = timeOut(change, context, effects);
          if (applied) this.counters.timedOut += 1;
          return applied;
        }),
      ),
    );
    await this.step('waiting', () => this.refreshWaiting());
    await this.step('outbox', () => this.events.relay());
    await this.step('retention', () => this.deleteRetained());
    await this.step('finished ids', () =>
      this.untilDone(
        () => this.sweeps.pruneFinished(this.environment.dedupRetentionMs, BULK_BATCH),
        BULK_BATCH,
      ),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.environment.sweepIntervalMs);
  }

  /** One transaction over rows of a kind that came due; returns how many were locked. */
  private async due(kind: DueKind, decide: Decide): Promise<number> {
    const result = await this.database.transaction(async (tx) => {
      const rows = await this.sweeps.lockDue(tx, kind, SWEEP_BATCH);
      return { count: rows.length, after: await this.decide(tx, rows, decide) };
    });
    await this.committer.carryOut(result.after);
    return result.count;
  }

  /** Jobs whose replica died before their confirm: out again under a new attempt, or waiting. */
  private async republishExpired(): Promise<number> {
    let jobs: ClaimedJobs = NO_JOBS;
    const result = await this.database.transaction(async (tx) => {
      const rows = (await this.dispatch.lockExpiredLeases(tx, SWEEP_BATCH)).filter(
        // Still waiting on its confirm here: the database was unreachable for a while.
        (row) => !this.dispatcher.isPending(row.id, row.attempt),
      );
      if (rows.length === 0) return { count: 0, after: undefined };
      const after = await this.decide(tx, rows, (change, context, effects) => {
        if (!this.catalogue.isAvailable(change.row.worker_type)) {
          wait(change, context, effects);
          return true;
        }
        return redispatch(change);
      });
      const again = rows.filter((row) => row.state === 'TO_DISPATCH').map((row) => row.id);
      jobs = this.dispatcher.reserve(tx, await this.dispatch.load(tx, again));
      return { count: rows.length, after };
    });
    if (jobs.rows.length > 0)
      this.logger.warn(
        `publishing again ${jobs.rows.length} job(s) whose replica never saw them confirmed`,
      );
    await Promise.all([
      result.after ? this.committer.carryOut(result.after) : undefined,
      this.dispatcher.publish(jobs),
    ]);
    return result.count;
  }

  private async decide(tx: Tx, rows: readonly RequestRow[], decide: Decide): Promise<AfterCommit> {
    const context = this.contexts.context();
    const effects = new Effects();
    const changes = rows
      .map((row) => new RowChange(row))
      .filter((change) => decide(change, context, effects));
    return this.committer.commit(tx, changes, effects);
  }

  /**
   * Waiting requests follow their type's liveness (QUEUED while it has a live instance,
   * NO_WORKER_AVAILABLE otherwise), and every live type's window is refilled.
   */
  private async refreshWaiting(): Promise<void> {
    for (const type of this.config.workerTypes()) {
      if (this.stopped) return;
      const available = this.catalogue.isAvailable(type);
      await this.untilDone(
        () =>
          available
            ? this.sweeps.relabel(type, 'NO_WORKER_AVAILABLE', 'QUEUED', BULK_BATCH)
            : this.sweeps.relabel(type, 'QUEUED', 'NO_WORKER_AVAILABLE', BULK_BATCH),
        BULK_BATCH,
      );
      if (available) await this.dispatcher.drain(type);
    }
  }

  private async deleteRetained(): Promise<void> {
    for (const scope of retentionScopes(this.config.current())) {
      if (this.stopped) return;
      await this.untilDone(() => this.sweeps.deleteRetained(scope, BULK_BATCH), BULK_BATCH);
    }
  }

  /** Repeats a bounded step while it did a full batch of work. */
  private async untilDone(step: () => Promise<number>, batch = SWEEP_BATCH): Promise<void> {
    while (!this.stopped) {
      if ((await step()) < batch) return;
    }
  }

  private async step(name: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.warn(`${name} sweep failed: ${(error as Error).message}`);
    }
  }
}
