import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Graph workflows (design 5.4): each step of a graph request is a row of `requests` beside the
 * request's own row, so a step is claimed through its worker type's dispatch window, leased,
 * timed out, retried by policy and cancelled by exactly the code that runs chains (docs/decisions.md, "Graph workflows").
 *
 * - `graph_of`: on the request's own row (the coordinator), its own id; on a step row, the
 *   request's id. Deleting the request deletes its steps (`ON DELETE CASCADE`).
 * - `step_id`: the graph step a step row runs (`wm-step-id`).
 * - `request_steps`: the steps of every graph request with their state, attempts, timings and
 *   the sizes of their stored input and output, for reading (REST, operators).
 *
 * A step row's id is the request's id, U+001F and the step's index, so it may run 4 characters
 * past a request id's 128: the length check allows 140.
 */
export class GraphSteps1772000000000 implements MigrationInterface {
  name = 'GraphSteps1772000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      ALTER TABLE ${s}.requests
        ADD COLUMN graph_of text REFERENCES ${s}.requests (id) ON DELETE CASCADE,
        ADD COLUMN step_id text`);
    await queryRunner.query(
      `ALTER TABLE ${s}.requests DROP CONSTRAINT IF EXISTS requests_id_check`,
    );
    await queryRunner.query(
      `ALTER TABLE ${s}.requests ADD CONSTRAINT requests_id_check CHECK (length(id) BETWEEN 1 AND 140)`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_graph_of_idx ON ${s}.requests (graph_of) WHERE graph_of IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE VIEW ${s}.request_steps AS
        SELECT graph_of AS request_id, step_id, step AS step_index, worker_type, state,
               CASE WHEN attempt = 0 THEN 0 ELSE (attempt - 1) / 64 + 1 END AS dispatches,
               attempt, cycle_attempts, worker_id, messages, created_at, dispatched_at, finished_at,
               updated_at, octet_length(input)::int AS input_bytes, input_content_type, input_mime,
               octet_length(output)::int AS output_bytes, output_content_type, output_mime
        FROM ${s}.requests WHERE graph_of IS NOT NULL AND graph_of <> id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP VIEW ${s}.request_steps`);
    await queryRunner.query(
      `DELETE FROM ${s}.requests WHERE graph_of IS NOT NULL AND graph_of <> id`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.requests DROP COLUMN graph_of, DROP COLUMN step_id`);
  }
}
