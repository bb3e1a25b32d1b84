import { Injectable } from '@nestjs/common';
import { type RequestState } from '@org/protocol';
import { DatabaseService, type Statement, type Tx } from '../../database/database.service';
import { type NewStepRow, type StepOutput } from '../engine/graph';
import { rowColumns, type RequestRow } from '../engine/request-row';
import { packBytes, sliceSql } from './packed-bytes';

/** One step of a graph request as operators read it (`GET /api/v1/requests/{id}/steps`). */
export interface StepView {
  readonly stepId: string;
  readonly stepIndex: number;
  readonly workerType: string;
  readonly state: RequestState;
  /** Dispatches of the step so far (every cycle). */
  readonly dispatches: number;
  /** The attempt of its last dispatch (`wm-attempt`), 0 before the first. */
  readonly attempt: number;
  readonly workerId: string | null;
  readonly messages: string[];
  readonly createdAt: Date;
  readonly dispatchedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly inputBytes: number;
  readonly outputBytes: number | null;
  readonly outputContentType: string | null;
}

/**
 * The statements of graph requests' step rows (design 5.4): locking a request's steps, reading
 * the outputs later steps take, inserting the rows of steps that became ready, and the steps
 * view. Step rows live in `requests` (docs/decisions.md, "Graph workflows"); everything else about them is written by
 * the requests repository like any row.
 */
@Injectable()
export class GraphStepsRepository {
  private readonly lockStatement: Statement;
  private readonly outputsStatement: Statement;
  private readonly insertStatement: Statement;
  private readonly listStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    const requests = database.table('requests');
    this.lockStatement = database.statement(
      'graph-steps-lock',
      `SELECT ${rowColumns()} FROM ${requests}
       WHERE graph_of = ANY($1::text[]) AND id <> graph_of ORDER BY id FOR UPDATE`,
    );
    this.outputsStatement = database.statement(
      'graph-steps-outputs',
      `SELECT id, encode(output, 'base64') AS body, output_content_type AS "contentType",
              output_mime AS "mimeType", meta
       FROM ${requests} WHERE id = ANY($1::text[]) AND state = 'SUCCESS'`,
    );
    // A root step copies the request's input in the database (no bytes through the manager).
    this.insertStatement = database.statement(
      'graph-steps-insert',
      `INSERT INTO ${requests} (id, state, content_type, workflow, steps, step, worker_type, attempt, cycle_attempts,
         input, input_content_type, input_mime, meta, payload_sha256, tenant, owner, session, correlation_id,
         reply_to, traceparent, tracestate, timeout_ms, priority, not_before, start_by, notify, accept_batch,
         parent_id, fair_key, graph_of, step_id)
       SELECT u.id, u.state, c.content_type, c.workflow, c.steps, u.step, u.worker_type, 0, 0,
         COALESCE(${sliceSql('$12', 'u.input_off', 'u.input_len')}, c.input), u.input_content_type, u.input_mime,
         u.meta::jsonb, c.payload_sha256, c.tenant, c.owner, c.session, c.correlation_id, c.reply_to,
         c.traceparent, c.tracestate, u.timeout_ms, c.priority, u.not_before, u.start_by, c.notify,
         c.accept_batch, c.parent_id, u.fair_key, c.id, u.step_id
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::int[], $9::timestamptz[], $10::timestamptz[], $11::text[], $13::int[], $14::int[],
                   $15::text[], $16::text[])
         AS u(id, state, step, worker_type, input_content_type, input_mime, meta, timeout_ms, not_before,
              start_by, fair_key, input_off, input_len, graph_of, step_id)
       JOIN ${requests} c ON c.id = u.graph_of
       ON CONFLICT (id) DO NOTHING`,
    );
    this.listStatement = database.statement(
      'graph-steps-list',
      `SELECT step_id AS "stepId", step_index AS "stepIndex", worker_type AS "workerType", state, dispatches,
              attempt, worker_id AS "workerId", messages, created_at AS "createdAt",
              dispatched_at AS "dispatchedAt", finished_at AS "finishedAt", input_bytes AS "inputBytes",
              output_bytes AS "outputBytes", output_content_type AS "outputContentType"
       FROM ${database.table('request_steps')} WHERE request_id = $1 ORDER BY step_index`,
    );
  }

  /** The step rows of these graph requests, locked (callers hold the requests' rows first). */
  async lockSteps(tx: Tx, requestIds: readonly string[]): Promise<RequestRow[]> {
    if (requestIds.length === 0) return [];
    return tx.query<RequestRow>(this.lockStatement, [[...requestIds]]);
  }

  /** The stored outputs of succeeded step rows, by row id. */
  async outputs(tx: Tx, rowIds: readonly string[]): Promise<Map<string, StepOutput>> {
    if (rowIds.length === 0) return new Map();
    const rows = await tx.query<{
      id: string;
      body: string | null;
      contentType: string | null;
      mimeType: string | null;
      meta: Record<string, string>;
    }>(this.outputsStatement, [[...rowIds]]);
    return new Map(
      rows.map((row) => [
        row.id,
        {
          body: Buffer.from(row.body ?? '', 'base64'),
          contentType: row.contentType ?? '',
          mimeType: row.mimeType,
          meta: row.meta,
        },
      ]),
    );
  }

  /** Inserts the rows of steps that became ready (a row that exists already is left alone). */
  async insert(tx: Tx, steps: readonly NewStepRow[]): Promise<void> {
    if (steps.length === 0) return;
    const column = <T>(pick: (step: NewStepRow) => T): T[] => steps.map(pick);
    const inputs = packBytes(column((step) => step.input));
    await tx.query(this.insertStatement, [
      column((s) => s.row.id),
      column((s) => s.row.state),
      column((s) => s.row.step),
      column((s) => s.row.worker_type),
      column((s) => s.row.input_content_type),
      column((s) => s.row.input_mime),
      column((s) => JSON.stringify(s.row.meta)),
      column((s) => s.row.timeout_ms),
      column((s) => s.row.not_before),
      column((s) => s.row.start_by),
      column((s) => s.row.fair_key),
      inputs.blob,
      inputs.offsets,
      inputs.lengths,
      column((s) => s.row.graph_of ?? null),
      column((s) => s.row.step_id ?? null),
    ]);
  }

  /** The steps of one graph request, in declared order (none for other requests). */
  async list(requestId: string): Promise<StepView[]> {
    return this.database.query<StepView>(this.listStatement, [requestId]);
  }
}
