import { Inject, Injectable, Logger } from '@nestjs/common';
import { buildEvent, type EventInput, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Tx } from '../database/database.service';
import { AmqpService } from './amqp.service';

/** An event about to be sent on `<ns>.events`, and to the request's replyTo queue when it set one. */
export interface PendingEvent {
  readonly event: EventInput;
  readonly replyTo?: string | null;
}

/** Outbox rows staged in a transaction, to send once it committed. */
export interface StagedEvents {
  readonly ids: readonly string[];
  readonly events: readonly PendingEvent[];
}

const RELAY_BATCH = 200;

interface OutboxRow {
  id: string;
  event: Omit<EventInput, 'body'>;
  body: Buffer;
  reply_to: string | null;
}

/**
 * Sends requester events after the commit that caused them.
 *
 * Terminal events (SUCCESS with the final output, ERROR, INVALID_CONTENT, CANCELLED) go through
 * an outbox: written in the same transaction as the state change, sent after commit, deleted
 * once confirmed. A replica that dies in between leaves the row; after its claim expires any
 * replica's relay sends it. Informational events (GRANTED, DELAYED, RUNNING, PROGRESS) are sent
 * directly: losing one in a crash costs a notification, not an outcome, and writing each to the
 * database would halve throughput. SKIPPED is never stored: its request message is acknowledged
 * only after the event is confirmed, so a crash redelivers it and the SKIPPED is sent again.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger('Events');
  private readonly stageStatement;
  private readonly deleteStatement;
  private readonly claimStatement;
  private readonly lagStatement;

  constructor(
    private readonly amqp: AmqpService,
    private readonly database: DatabaseService,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const outbox = database.table('outbox');
    this.stageStatement = database.statement(
      'outbox-stage',
      `INSERT INTO ${outbox} (request_id, event, body, reply_to, claimed_until)
       SELECT u.request_id, u.event::jsonb, u.body, u.reply_to, now() + $5 * interval '1 millisecond'
       FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[]) AS u(request_id, event, body, reply_to)
       RETURNING id`,
    );
    this.deleteStatement = database.statement(
      'outbox-delete',
      `DELETE FROM ${outbox} WHERE id = ANY($1::bigint[])`,
    );
    this.claimStatement = database.statement(
      'outbox-claim',
      `UPDATE ${outbox} SET claimed_until = now() + $1 * interval '1 millisecond'
       WHERE id IN (SELECT id FROM ${outbox} WHERE claimed_until < now() ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, event, body, reply_to`,
    );
    this.lagStatement = database.statement(
      'outbox-lag',
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0)::float8 AS oldest_ms FROM ${outbox}`,
    );
  }

  /** Sends events and resolves when all are confirmed; rejects if any could not be sent. */
  async publish(events: readonly PendingEvent[]): Promise<void> {
    const results = await Promise.allSettled(events.flatMap((pending) => this.send(pending)));
    const failed = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} event(s) could not be sent: ${String((failed[0]?.reason as Error)?.message)}`,
      );
    }
  }

  /** Writes terminal events to the outbox inside the caller's transaction. */
  async stage(tx: Tx, events: readonly PendingEvent[]): Promise<StagedEvents> {
    if (events.length === 0) return { ids: [], events };
    const rows = await tx.query<{ id: string }>(this.stageStatement, [
      events.map((pending) => pending.event.requestId),
      events.map((pending) => JSON.stringify({ ...pending.event, body: undefined })),
      events.map((pending) => pending.event.body ?? Buffer.alloc(0)),
      events.map((pending) => pending.replyTo ?? null),
      this.outboxClaimMs(),
    ]);
    return { ids: rows.map((row) => row.id), events };
  }

  /** After commit: sends staged events and forgets them; on failure the relay sends them later. */
  async deliver(staged: StagedEvents): Promise<void> {
    if (staged.ids.length === 0) return;
    try {
      await this.publish(staged.events);
      await this.database.query(this.deleteStatement, [staged.ids]);
    } catch (error) {
      this.logger.warn(`outbox events left for the relay: ${(error as Error).message}`);
    }
  }

  /** Sends outbox rows whose claim expired (their replica died or failed); replica-safe. */
  async relay(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.database.query<OutboxRow>(this.claimStatement, [
        this.outboxClaimMs(),
        RELAY_BATCH,
      ]);
      if (rows.length === 0) return total;
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      await this.publish(
        rows.map((row) => ({ event: { ...row.event, body: row.body }, replyTo: row.reply_to })),
      );
      await this.database.query(this.deleteStatement, [rows.map((row) => row.id)]);
      total += rows.length;
      if (rows.length < RELAY_BATCH) return total;
    }
  }

  /** Events written but not yet confirmed, and the age of the oldest (metrics). */
  async outboxLag(): Promise<{ pending: number; oldestMs: number }> {
    const [row] = await this.database.query<{ pending: number; oldest_ms: number }>(
      this.lagStatement,
      [],
    );
    return { pending: row?.pending ?? 0, oldestMs: row?.oldest_ms ?? 0 };
  }

  /**
   * How long the replica that staged or claimed a row has to send it before any replica's relay
   * may: the dispatch lease, but never so short that a busy replica's own delivery is overtaken
   * (which would send the event twice).
   */
  private outboxClaimMs(): number {
    return Math.max(this.environment.dispatchLeaseMs, 5000);
  }

  private send(pending: PendingEvent): Array<Promise<void>> {
    const message = buildEvent(this.names, pending.event);
    const sends = [this.amqp.publish(message)];
    if (pending.replyTo) sends.push(this.amqp.sendToQueue(pending.replyTo, message));
    return sends;
  }
}
