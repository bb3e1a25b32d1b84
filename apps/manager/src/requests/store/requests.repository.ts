import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement, type Tx } from '../../database/database.service';
import { rowColumns, type RequestRow } from '../engine/request-row';
import { type RowChange } from '../engine/row-change';
import { type KnownRequest, type NewRequest } from './new-request';
import { OUTSTANDING, TERMINAL } from './sql-states';
import { packBytes, sliceSql } from './packed-bytes';

/** The kept output of a request, as stored. */
export interface StoredOutput {
  readonly state: string;
  readonly body: Buffer | null;
  readonly contentType: string | null;
  readonly mimeType: string | null;
}

/**
 * Every write of the request engine on the `requests` table and the ids of finished requests:
 * recording new requests, locking rows, writing the images the engine decided (in bulk, one
 * statement per kind per batch), finishing rows (deleted, their ids remembered). All in the
 * caller's transaction; statements are named so PostgreSQL plans them once per connection.
 */
@Injectable()
export class RequestsRepository {
  private readonly insertStatement: Statement;
  private readonly knownStatement: Statement;
  private readonly lockStatement: Statement;
  private readonly updateStatement: Statement;
  private readonly finishStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly outputStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const requests = database.table('requests');
    const finished = database.table('finished_requests');
    this.insertStatement = database.statement(
      'requests-insert',
      `INSERT INTO ${requests} (id, state, content_type, workflow, steps, step, worker_type, attempt, cycle_attempts,
         input, input_content_type, input_mime, meta, payload_sha256, tenant, owner, session, correlation_id,
         reply_to, traceparent, tracestate, timeout_ms, priority, not_before, start_by, notify, accept_batch,
         parent_id, fair_key, graph_of, lease_until, deadline, dispatched_at)
       SELECT u.id, u.state, u.content_type, u.workflow, string_to_array(u.steps, ','), 0, u.worker_type,
         u.attempt, u.cycle_attempts,
         ${sliceSql('$26', 'u.input_off', 'u.input_len')}, u.content_type, u.input_mime, '{}'::jsonb, u.sha, u.tenant, u.owner, u.session, u.correlation_id,
         u.reply_to, u.traceparent, u.tracestate, u.timeout_ms, u.priority, u.not_before, u.start_by, u.notify,
         u.accept_batch, u.parent_id, u.fair_key, u.graph_of,
         CASE WHEN u.state = 'TO_DISPATCH' THEN now() + $30 * interval '1 millisecond' END,
         CASE WHEN u.state = 'TO_DISPATCH' THEN now() + u.timeout_ms * interval '1 millisecond' END,
         CASE WHEN u.state = 'TO_DISPATCH' THEN now() END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
                   $9::bytea[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::text[], $17::int[], $18::smallint[], $19::timestamptz[], $20::timestamptz[], $21::text[],
                   $22::boolean[], $23::text[], $24::text[], $25::int[], $27::text[], $28::int[], $29::int[])
         AS u(id, state, content_type, workflow, steps, worker_type, input_off, input_mime, sha, tenant, owner,
              session, correlation_id, reply_to, traceparent, tracestate, timeout_ms, priority, not_before,
              start_by, notify, accept_batch, parent_id, fair_key, input_len, graph_of, attempt, cycle_attempts)
       WHERE NOT EXISTS (SELECT 1 FROM ${finished} f WHERE f.id = u.id)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, seq`,
    );
    this.knownStatement = database.statement(
      'requests-known',
      `SELECT id, state, payload_sha256 AS sha, state IN ${TERMINAL} AS finished FROM ${requests} WHERE id = ANY($1::text[])
       UNION ALL
       SELECT f.id, f.state, f.payload_sha256, true FROM ${finished} f
       WHERE f.id = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM ${requests} r WHERE r.id = f.id)`,
    );
    this.lockStatement = database.statement(
      'requests-lock',
      `SELECT ${rowColumns()} FROM ${requests} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    );
    this.updateStatement = database.statement(
      'requests-update',
      `UPDATE ${requests} r SET
         state = u.state, step = u.step, worker_type = u.worker_type, attempt = u.attempt,
         cycle_attempts = u.cycle_attempts,
         input = COALESCE(${sliceSql('$21', 'u.input_off', 'u.input_len')}, r.input),
         input_content_type = u.input_content_type, input_mime = u.input_mime, meta = u.meta::jsonb,
         messages = ARRAY(SELECT jsonb_array_elements_text(u.messages::jsonb)), worker_id = u.worker_id,
         not_before = u.not_before, start_by = u.start_by, fair_key = u.fair_key,
         output = COALESCE(${sliceSql('$22', 'u.output_off', 'u.output_len')}, r.output),
         output_content_type = COALESCE(u.output_content_type, r.output_content_type),
         output_mime = CASE WHEN u.output_len < 0 THEN r.output_mime ELSE u.output_mime END,
         lease_until = CASE WHEN u.claimed THEN now() + $19 * interval '1 millisecond'
                            WHEN u.state = 'TO_DISPATCH' THEN r.lease_until END,
         deadline = CASE WHEN u.claimed THEN now() + r.timeout_ms * interval '1 millisecond'
                         WHEN u.state IN ${OUTSTANDING} THEN r.deadline END,
         dispatched_at = CASE WHEN u.claimed THEN now() ELSE r.dispatched_at END,
         finished_at = CASE WHEN u.state IN ${TERMINAL}
                            THEN CASE WHEN r.state IN ${TERMINAL} THEN r.finished_at ELSE now() END END,
         retry_at = NULL, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[],
                   $15::boolean[], $16::int[], $17::text[], $18::text[], $20::text[], $23::int[], $24::int[])
         AS u(id, state, step, worker_type, attempt, cycle_attempts, input_off, input_content_type, input_mime,
              meta, messages, worker_id, not_before, start_by, claimed, output_off, output_content_type, output_mime,
              fair_key, input_len, output_len)
       WHERE r.id = u.id`,
    );
    this.finishStatement = database.statement(
      'requests-finish',
      `WITH gone AS (
         DELETE FROM ${requests} r USING unnest($1::text[], $2::text[]) AS u(id, state)
         WHERE r.id = u.id RETURNING r.id, r.payload_sha256, u.state)
       INSERT INTO ${finished} (id, payload_sha256, state) SELECT id, payload_sha256, state FROM gone
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, finished_at = now()`,
    );
    this.deleteStatement = database.statement(
      'requests-delete',
      `DELETE FROM ${requests} WHERE id = ANY($1::text[]) AND state = ANY($2::text[]) RETURNING id`,
    );
    this.outputStatement = database.statement(
      'requests-output',
      `SELECT state, output AS body, output_content_type AS "contentType", output_mime AS "mimeType"
       FROM ${requests} WHERE id = $1`,
    );
  }

  /**
   * Records new requests; returns the arrival sequence of those inserted. An id that exists
   * (live, kept, or remembered as finished) is not inserted: see {@link known}. A request
   * claimed on arrival comes as TO_DISPATCH with its attempt: its dispatch lease (`leaseMs`) and
   * timeout clock start from the database's now, as a claim's do.
   */
  async insert(
    tx: Tx,
    requests: readonly NewRequest[],
    leaseMs: number,
  ): Promise<Map<string, string>> {
    if (requests.length === 0) return new Map();
    const column = <T>(pick: (request: NewRequest) => T): T[] => requests.map(pick);
    const inputs = packBytes(requests.map((r) => r.input));
    const rows = await tx.query<{ id: string; seq: string }>(this.insertStatement, [
      column((r) => r.row.id),
      column((r) => r.row.state),
      column((r) => r.row.content_type),
      column((r) => r.row.workflow),
      column((r) => r.row.steps.join(',')),
      column((r) => r.row.worker_type),
      inputs.offsets,
      column((r) => r.row.input_mime),
      column((r) => r.sha),
      column((r) => r.row.tenant),
      column((r) => r.row.owner),
      column((r) => r.row.session),
      column((r) => r.row.correlation_id),
      column((r) => r.row.reply_to),
      column((r) => r.row.traceparent),
      column((r) => r.row.tracestate),
      column((r) => r.row.timeout_ms),
      column((r) => r.row.priority),
      column((r) => r.row.not_before),
      column((r) => r.row.start_by),
      column((r) => r.row.notify),
      column((r) => r.row.accept_batch),
      column((r) => r.row.parent_id),
      column((r) => r.row.fair_key),
      inputs.lengths,
      inputs.blob,
      column((r) => r.row.graph_of ?? null),
      column((r) => r.row.attempt),
      column((r) => r.row.cycle_attempts),
      leaseMs,
    ]);
    return new Map(rows.map((row) => [row.id, row.seq]));
  }

  /** What exists under these ids: live or kept rows, and finished ids still remembered. */
  async known(tx: Tx, ids: readonly string[]): Promise<Map<string, KnownRequest>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<{ id: string; state: string; sha: Buffer; finished: boolean }>(
      this.knownStatement,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Locks rows in id order (so two replicas never deadlock) and returns their images. */
  async lock(tx: Tx, ids: readonly string[]): Promise<RequestRow[]> {
    if (ids.length === 0) return [];
    return tx.query<RequestRow>(this.lockStatement, [[...new Set(ids)]]);
  }

  /**
   * Writes what the engine decided: updated images in one statement, finished rows deleted
   * (their ids remembered) in another. `leaseMs` is the dispatch lease of claimed rows.
   */
  async write(tx: Tx, changes: readonly RowChange[], leaseMs: number): Promise<void> {
    const updates = changes.filter((change) => change.write === 'update');
    const finishes = changes.filter((change) => change.write === 'finish');
    if (updates.length > 0) {
      const column = <T>(pick: (change: RowChange) => T): T[] => updates.map(pick);
      const inputs = packBytes(column((c) => c.input));
      const outputs = packBytes(column((c) => c.output?.body));
      await tx.query(this.updateStatement, [
        column((c) => c.row.id),
        column((c) => c.row.state),
        column((c) => c.row.step),
        column((c) => c.row.worker_type),
        column((c) => c.row.attempt),
        column((c) => c.row.cycle_attempts),
        inputs.offsets,
        column((c) => c.row.input_content_type),
        column((c) => c.row.input_mime),
        column((c) => JSON.stringify(c.row.meta)),
        column((c) => JSON.stringify(c.row.messages)),
        column((c) => c.row.worker_id),
        column((c) => c.row.not_before),
        column((c) => c.row.start_by),
        column((c) => c.claimed),
        outputs.offsets,
        column((c) => c.output?.contentType ?? null),
        column((c) => c.output?.mimeType ?? null),
        leaseMs,
        column((c) => c.row.fair_key),
        inputs.blob,
        outputs.blob,
        inputs.lengths,
        outputs.lengths,
      ]);
    }
    if (finishes.length > 0) {
      await tx.query(this.finishStatement, [
        finishes.map((change) => change.row.id),
        finishes.map((change) => change.row.state),
      ]);
    }
  }

  /** An operator's delete: rows among `ids` in one of `states`; returns the ids deleted. */
  async delete(ids: readonly string[], states: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.database.query<{ id: string }>(this.deleteStatement, [
      [...new Set(ids)],
      states,
    ]);
    return rows.map((row) => row.id);
  }

  /** The state and kept output of one request, or undefined when it does not exist. */
  async output(id: string): Promise<StoredOutput | undefined> {
    const [row] = await this.database.query<StoredOutput>(this.outputStatement, [id]);
    return row;
  }
}
