import { Inject, Injectable, Logger } from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService } from '../database/database.service';
import { EventsService } from '../messaging/events.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { Dispatcher } from './dispatcher.service';
import { OutcomeApplier } from './outcome-applier.service';
import { failureOutcome } from './outcome';
import { rowColumns, type RequestRow } from './request-row';
import { RequestCounters } from './request-counters';

const TIMEOUT_BATCH = 200;

/**
 * The periodic, replica-safe sweeps (every `WM_SWEEP_INTERVAL_MS`; rows claimed with
 * `FOR UPDATE SKIP LOCKED`, so replicas share the work and never do it twice):
 * - expired dispatch leases (a replica died between commit and confirm) are published again;
 * - waiting requests of available types are dispatched (an availability change this replica
 *   missed, retry backoffs that ended);
 * - dispatched requests past their deadline become ERROR;
 * - outbox events whose replica died are sent.
 */
@Injectable()
export class Sweeper {
  private readonly logger = new Logger('Sweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly timeoutStatement;

  constructor(
    private readonly database: DatabaseService,
    private readonly dispatcher: Dispatcher,
    private readonly applier: OutcomeApplier,
    private readonly events: EventsService,
    private readonly catalogue: WorkerCatalogue,
    private readonly counters: RequestCounters,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    this.timeoutStatement = database.statement(
      'sweep-timeouts',
      `SELECT ${rowColumns()} FROM ${database.table('requests')}
       WHERE state IN ('DISPATCHED', 'RUNNING') AND deadline IS NOT NULL AND deadline < now()
       ORDER BY deadline LIMIT $1 FOR UPDATE SKIP LOCKED`,
    );
  }

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
    await this.step('lease', () => this.dispatcher.sweepExpiredLeases());
    for (const type of this.catalogue.availableTypes()) {
      if (this.stopped) return;
      await this.step(`waiting ${type}`, () => this.dispatcher.drain(type));
    }
    await this.step('timeouts', () => this.sweepTimeouts());
    await this.step('outbox', () => this.events.relay());
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

  private async sweepTimeouts(): Promise<void> {
    for (;;) {
      const after = await this.database.transaction(async (tx) => {
        const rows = await tx.query<RequestRow>(this.timeoutStatement, [TIMEOUT_BATCH]);
        if (rows.length === 0) return undefined;
        this.counters.timedOut += rows.length;
        const outcomes = rows.map((row) =>
          failureOutcome(
            row.id,
            row.attempt,
            [`timed out after ${row.timeout_ms ?? 0} ms without a final answer`],
            false,
          ),
        );
        return { count: rows.length, after: await this.applier.applyLocked(tx, rows, outcomes) };
      });
      if (!after) return;
      await this.applier.carryOut(after.after);
      if (after.count < TIMEOUT_BATCH) return;
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
