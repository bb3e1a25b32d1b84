import { Injectable } from '@nestjs/common';
import { DatabaseService, type Tx } from '../database/database.service';
import { type RequestRow } from './request-row';

/** What happens to a row's timeout deadline on write. */
export type DeadlineChange = 'keep' | 'start' | 'clear';

/** The new image of a row, written in bulk. */
export interface RowWrite {
  readonly row: RequestRow;
  /** A new step input (next workflow step); null keeps the stored one. */
  readonly input: Buffer | null;
  /** Dispatch lease from now, for rows going to TO_DISPATCH; null clears it. */
  readonly leaseMs: number | null;
  readonly deadline: DeadlineChange;
  /** Earliest redispatch from now (retry backoff); null clears it. */
  readonly retryMs: number | null;
}

/**
 * Writes many row images in one statement (`UPDATE … FROM unnest(…)`) and deletes many rows in
 * another, inside the caller's transaction: the bulk form of every state change.
 */
@Injectable()
export class RowWriter {
  private readonly updateStatement;
  private readonly deleteStatement;

  constructor(database: DatabaseService) {
    const requests = database.table('requests');
    this.updateStatement = database.statement(
      'rows-update',
      `UPDATE ${requests} r SET
         state = u.state, step = u.step, worker_type = u.worker_type, attempt = u.attempt,
         cycle_attempts = u.cycle_attempts, input = COALESCE(u.input, r.input),
         input_content_type = u.input_content_type, input_mime = u.input_mime, meta = u.meta::jsonb,
         messages = ARRAY(SELECT jsonb_array_elements_text(u.messages::jsonb)), worker_id = u.worker_id,
         lease_until = CASE WHEN u.lease_ms IS NULL THEN NULL ELSE now() + u.lease_ms * interval '1 millisecond' END,
         deadline = CASE u.deadline
           WHEN 'keep' THEN r.deadline
           WHEN 'start' THEN CASE WHEN r.timeout_ms IS NULL THEN NULL ELSE now() + r.timeout_ms * interval '1 millisecond' END
           ELSE NULL END,
         retry_at = CASE WHEN u.retry_ms IS NULL THEN NULL ELSE now() + u.retry_ms * interval '1 millisecond' END,
         updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::bytea[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::int[])
         AS u(id, state, step, worker_type, attempt, cycle_attempts, input, input_content_type,
              input_mime, meta, messages, worker_id, lease_ms, deadline, retry_ms)
       WHERE r.id = u.id`,
    );
    this.deleteStatement = database.statement(
      'rows-delete',
      `DELETE FROM ${requests} WHERE id = ANY($1::text[])`,
    );
  }

  async update(tx: Tx, writes: readonly RowWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const column = <T>(pick: (write: RowWrite) => T): T[] => writes.map(pick);
    await tx.query(this.updateStatement, [
      column((w) => w.row.id),
      column((w) => w.row.state),
      column((w) => w.row.step),
      column((w) => w.row.worker_type),
      column((w) => w.row.attempt),
      column((w) => w.row.cycle_attempts),
      column((w) => w.input),
      column((w) => w.row.input_content_type),
      column((w) => w.row.input_mime),
      column((w) => JSON.stringify(w.row.meta)),
      column((w) => JSON.stringify(w.row.messages)),
      column((w) => w.row.worker_id),
      column((w) => w.leaseMs),
      column((w) => w.deadline),
      column((w) => w.retryMs),
    ]);
  }

  async delete(tx: Tx, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await tx.query(this.deleteStatement, [ids]);
  }
}
