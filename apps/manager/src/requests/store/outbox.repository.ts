import { Injectable } from '@nestjs/common';
import { type EventInput, type NotifyMode } from '@org/protocol';
import { DatabaseService, type Statement, type Tx } from '../../database/database.service';
import { type PendingEvent } from '../engine/effects';
import { packBytes, sliceSql } from './packed-bytes';

/** Outbox rows staged in a transaction, to send once it committed. */
export interface StagedEvents {
  readonly ids: readonly string[];
  readonly events: readonly PendingEvent[];
}

interface OutboxRow {
  id: string;
  event: Omit<EventInput, 'body'> & { notify?: NotifyMode; acceptBatch?: boolean };
  body: Buffer;
  reply_to: string | null;
}

/**
 * The outbox of terminal events: written in the transaction of the state change, deleted once
 * the broker confirmed them. A replica that dies in between leaves its rows; after their claim
 * expires, any replica relays them.
 */
@Injectable()
export class OutboxRepository {
  private readonly stageStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly claimStatement: Statement;
  private readonly lagStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const outbox = database.table('outbox');
    this.stageStatement = database.statement(
      'outbox-stage',
      `INSERT INTO ${outbox} (request_id, event, body, reply_to, claimed_until)
       SELECT u.request_id, u.event::jsonb, ${sliceSql('$7', 'u.body_off', 'u.body_len')}, u.reply_to,
         now() + $5 * interval '1 millisecond'
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $6::int[])
         AS u(request_id, event, body_off, reply_to, body_len)
       RETURNING id`,
    );
    this.deleteStatement = database.statement(
      'outbox-delete',
      `DELETE FROM ${outbox} WHERE id = ANY($1::bigint[])`,
    );
    this.claimStatement = database.statement(
      'outbox-claim',
      `UPDATE ${outbox} SET claimed_until = now() + $1 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM (
           SELECT id, sum(octet_length(body)) OVER (ORDER BY id) AS running, row_number() OVER (ORDER BY id) AS n
           FROM ${outbox} WHERE claimed_until < now() ORDER BY id LIMIT $2) c
         WHERE c.running <= $3 OR c.n = 1)
         AND claimed_until < now()
       RETURNING id, event, body, reply_to`,
    );
    this.lagStatement = database.statement(
      'outbox-lag',
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0)::float8 AS oldest_ms FROM ${outbox}`,
    );
  }

  /** Writes terminal events inside the caller's transaction, claimed by this replica for `claimMs`. */
  async stage(tx: Tx, events: readonly PendingEvent[], claimMs: number): Promise<StagedEvents> {
    if (events.length === 0) return { ids: [], events };
    const bodies = packBytes(events.map((pending) => pending.event.body ?? Buffer.alloc(0)));
    const rows = await tx.query<{ id: string }>(this.stageStatement, [
      events.map((pending) => pending.event.requestId),
      events.map((pending) =>
        JSON.stringify({
          ...pending.event,
          body: undefined,
          notify: pending.notify,
          acceptBatch: pending.acceptBatch,
        }),
      ),
      bodies.offsets,
      events.map((pending) => pending.replyTo ?? null),
      claimMs,
      bodies.lengths,
      bodies.blob,
    ]);
    return { ids: rows.map((row) => row.id), events };
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.database.query(this.deleteStatement, [ids]);
  }

  /**
   * Claims up to `limit` rows whose claim expired, and no more than `maxBytes` of bodies (at
   * least one row); returns them as events, oldest first. A replica claiming at the same time
   * skips the rows this one took (the claim is re-checked under the row lock).
   */
  async claimExpired(
    claimMs: number,
    limit: number,
    maxBytes: number,
  ): Promise<Array<{ id: string; pending: PendingEvent }>> {
    const rows = await this.database.query<OutboxRow>(this.claimStatement, [
      claimMs,
      limit,
      maxBytes,
    ]);
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    return rows.map((row) => {
      const { notify, acceptBatch, ...event } = row.event;
      return {
        id: row.id,
        pending: {
          event: { ...event, body: row.body },
          replyTo: row.reply_to,
          notify: notify ?? 'all',
          acceptBatch: acceptBatch ?? false,
        },
      };
    });
  }

  /** Events written but not yet confirmed, and the age of the oldest (metrics). */
  async lag(): Promise<{ pending: number; oldestMs: number }> {
    const [row] = await this.database.query<{ pending: number; oldest_ms: number }>(
      this.lagStatement,
      [],
    );
    return { pending: row?.pending ?? 0, oldestMs: row?.oldest_ms ?? 0 };
  }
}
