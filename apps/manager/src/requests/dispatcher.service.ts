import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { buildJob, jobMessageId, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService } from '../database/database.service';
import { AmqpService } from '../messaging/amqp.service';
import { EventsService } from '../messaging/events.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import {
  dispatchColumns,
  eventOf,
  jobOf,
  rowColumns,
  type DispatchRow,
  type RequestRow,
} from './request-row';
import { RequestCounters } from './request-counters';
import { RequestTimings } from './request-timings';

const CLAIM_BATCH = 500;

/** A dispatch to publish: a row already recorded TO_DISPATCH with this attempt. */
export interface DispatchKey {
  readonly id: string;
  readonly attempt: number;
}

/**
 * Publishes jobs and records them as dispatched — only after the broker confirmed them. Rows are
 * committed as TO_DISPATCH with a lease first; if this replica dies before the confirm, the lease
 * sweep of any replica publishes them again with a new attempt (the old job's answers are then
 * stale). Waiting rows of a type are claimed oldest first with `FOR UPDATE SKIP LOCKED`, so two
 * replicas never claim the same one.
 */
@Injectable()
export class Dispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private readonly draining = new Set<string>();
  private readonly again = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private readonly markStatement;
  private readonly claimWaitingStatement;
  private readonly claimExpiredStatement;
  private readonly loadStatement;
  private readonly toWaitingStatement;

  constructor(
    private readonly database: DatabaseService,
    private readonly amqp: AmqpService,
    private readonly events: EventsService,
    private readonly catalogue: WorkerCatalogue,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const requests = database.table('requests');
    this.markStatement = database.statement(
      'dispatch-mark',
      `WITH locked AS (
         SELECT r.id FROM ${requests} r JOIN unnest($1::text[], $2::int[]) AS u(id, attempt)
           ON r.id = u.id AND r.attempt = u.attempt
         WHERE r.state = 'TO_DISPATCH' ORDER BY r.id FOR UPDATE OF r)
       UPDATE ${requests} r SET state = 'DISPATCHED', lease_until = NULL, updated_at = now(),
         deadline = CASE WHEN r.timeout_ms IS NULL THEN NULL ELSE now() + r.timeout_ms * interval '1 millisecond' END
       FROM locked WHERE r.id = locked.id
       RETURNING r.id`,
    );
    this.claimWaitingStatement = database.statement(
      'dispatch-claim-waiting',
      `UPDATE ${requests} r SET state = 'TO_DISPATCH', attempt = r.attempt + 1, cycle_attempts = r.cycle_attempts + 1,
         lease_until = now() + $3 * interval '1 millisecond', retry_at = NULL, worker_id = NULL, updated_at = now()
       WHERE r.id IN (
         SELECT id FROM ${requests}
         WHERE state = 'NO_WORKER_AVAILABLE' AND worker_type = $1 AND (retry_at IS NULL OR retry_at <= now())
         ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
       AND r.state = 'NO_WORKER_AVAILABLE'
       RETURNING ${dispatchColumns('r')}`,
    );
    this.claimExpiredStatement = database.statement(
      'dispatch-claim-expired',
      `UPDATE ${requests} r SET attempt = r.attempt + 1, lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
       WHERE r.id IN (
         SELECT id FROM ${requests} WHERE state = 'TO_DISPATCH' AND lease_until < now()
         ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)
       AND r.state = 'TO_DISPATCH'
       RETURNING ${dispatchColumns('r')}`,
    );
    this.loadStatement = database.statement(
      'dispatch-load',
      `SELECT ${dispatchColumns('r')} FROM ${requests} r JOIN unnest($1::text[], $2::int[]) AS u(id, attempt)
         ON r.id = u.id AND r.attempt = u.attempt
       WHERE r.state = 'TO_DISPATCH'`,
    );
    this.toWaitingStatement = database.statement(
      'dispatch-to-waiting',
      `WITH locked AS (
         SELECT r.id FROM ${requests} r JOIN unnest($1::text[], $2::int[]) AS u(id, attempt)
           ON r.id = u.id AND r.attempt = u.attempt
         WHERE r.state IN ('TO_DISPATCH', 'DISPATCHED') ORDER BY r.id FOR UPDATE OF r)
       UPDATE ${requests} r SET state = 'NO_WORKER_AVAILABLE', lease_until = NULL, deadline = NULL, worker_id = NULL,
         cycle_attempts = GREATEST(r.cycle_attempts - 1, 0), updated_at = now()
       FROM locked WHERE r.id = locked.id
       RETURNING ${rowColumns('r')}`,
    );
  }

  onModuleInit(): void {
    this.catalogue.onAvailabilityChange((type, available) => {
      if (available) this.kick(type);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  /** Stops claiming (shutdown) and waits for the dispatches in flight. */
  async stop(): Promise<void> {
    await this.onApplicationShutdown();
  }

  /** Claims and dispatches the waiting requests of `type` in the background, oldest first. */
  kick(type: string): void {
    if (this.stopped) return;
    const run = this.drain(type).catch((error: unknown) =>
      this.logger.error(`dispatching waiting ${type} requests failed: ${(error as Error).message}`),
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Claims and dispatches waiting requests of `type` until none is left (or it is unavailable). */
  async drain(type: string): Promise<void> {
    if (this.draining.has(type)) {
      this.again.add(type);
      return;
    }
    this.draining.add(type);
    try {
      do {
        this.again.delete(type);
        while (!this.stopped && this.catalogue.isAvailable(type)) {
          const rows = await this.database.query<DispatchRow>(this.claimWaitingStatement, [
            type,
            CLAIM_BATCH,
            this.environment.dispatchLeaseMs,
          ]);
          if (rows.length > 0) await this.publish(rows);
          if (rows.length < CLAIM_BATCH) break;
        }
      } while (this.again.has(type) && !this.stopped);
    } finally {
      this.draining.delete(type);
    }
  }

  /** Re-publishes TO_DISPATCH rows whose lease expired (their replica died between commit and confirm). */
  async sweepExpiredLeases(): Promise<number> {
    const rows = await this.database.query<DispatchRow>(this.claimExpiredStatement, [
      CLAIM_BATCH,
      this.environment.dispatchLeaseMs,
    ]);
    if (rows.length === 0) return 0;
    this.logger.warn(`re-publishing ${rows.length} job(s) whose dispatch was never confirmed`);
    const available = rows.filter((row) => this.catalogue.isAvailable(row.worker_type));
    const unavailable = rows.filter((row) => !this.catalogue.isAvailable(row.worker_type));
    await this.toWaiting(unavailable, []);
    await this.publish(available);
    return rows.length;
  }

  /** Publishes the jobs of rows recorded TO_DISPATCH in a transaction that just committed. */
  async dispatchKeys(keys: readonly DispatchKey[]): Promise<void> {
    if (keys.length === 0) return;
    const rows = await this.database.query<DispatchRow>(this.loadStatement, [
      keys.map((key) => key.id),
      keys.map((key) => key.attempt),
    ]);
    await this.publish(rows);
  }

  /**
   * Sends rows back to NO_WORKER_AVAILABLE (unroutable job, type gone) if their attempt is still
   * the current one, and tells their requesters DELAYED.
   */
  async toWaiting(
    keys: readonly DispatchKey[],
    messages: readonly string[],
  ): Promise<RequestRow[]> {
    if (keys.length === 0) return [];
    const rows = await this.database.query<RequestRow>(this.toWaitingStatement, [
      keys.map((key) => key.id),
      keys.map((key) => key.attempt),
    ]);
    await this.events
      .publish(
        rows.map((row) =>
          eventOf(row, 'DELAYED', { messages: messages.length > 0 ? messages : undefined }),
        ),
      )
      .catch((error: unknown) =>
        this.logger.warn(`DELAYED events not sent: ${(error as Error).message}`),
      );
    return rows;
  }

  /**
   * Publishes rows' jobs on the confirm channel, then records the confirmed ones DISPATCHED and
   * tells their requesters GRANTED. Unconfirmed ones stay TO_DISPATCH for the lease sweep.
   */
  async publish(rows: readonly DispatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ordered = [...rows].sort((a, b) => Number(a.seq) - Number(b.seq));
    // Before publishing: a fast worker's answer may be applied before the confirm is recorded.
    this.timings.published(ordered, Date.now());
    const results = await Promise.allSettled(
      ordered.map((row) =>
        this.amqp.publish(buildJob(this.names, jobOf(row, jobMessageId(row.id, row.attempt)))),
      ),
    );
    const confirmed = ordered.filter((_, index) => results[index]?.status === 'fulfilled');
    if (confirmed.length < ordered.length) {
      this.logger.warn(
        `${ordered.length - confirmed.length} job(s) not confirmed; the lease sweep will publish them again`,
      );
    }
    if (confirmed.length === 0) return;
    this.counters.dispatched += confirmed.length;
    this.timings.confirmed(confirmed, Date.now());
    const marked = await this.database.query<{ id: string }>(this.markStatement, [
      confirmed.map((row) => row.id),
      confirmed.map((row) => row.attempt),
    ]);
    const markedIds = new Set(marked.map((row) => row.id));
    // A row a fast worker already answered is past DISPATCHED; the response handler sent its GRANTED.
    const granted = confirmed.filter((row) => markedIds.has(row.id));
    // Handed to the channel now (so it keeps its place before later events), but not waited for:
    // GRANTED is informational, and its confirm would hold the intake batch for one more broker
    // round trip. Shutdown still waits for it.
    const sent = this.events
      .publish(granted.map((row) => eventOf(row, 'GRANTED', { messages: [] })))
      .catch((error: unknown) =>
        this.logger.warn(`GRANTED events not sent: ${(error as Error).message}`),
      );
    this.running.add(sent);
    void sent.finally(() => this.running.delete(sent));
  }
}
