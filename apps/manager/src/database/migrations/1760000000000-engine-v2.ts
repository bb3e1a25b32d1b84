import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The request engine v2 (design 5.1): scheduling columns (priority, not-before, start-by
 * deadline, fairness key), notification preferences, lineage (parent id), kept outputs, the
 * ids of finished requests (idempotency that survives the row) and the per-type dispatch
 * controls (pause, rate-limit bucket).
 *
 * The partial indexes follow the hot queries: the backlog of a type in dispatch order, the jobs
 * outstanding per type (the window), schedules and deadlines that come due. v1 waiting rows with
 * a retry time become SCHEDULED, which is how v2 waits for a backoff.
 */
export class EngineV21760000000000 implements MigrationInterface {
  name = 'EngineV21760000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      ALTER TABLE ${s}.requests
        ADD COLUMN priority smallint NOT NULL DEFAULT 0,
        ADD COLUMN not_before timestamptz,
        ADD COLUMN start_by timestamptz,
        ADD COLUMN notify text NOT NULL DEFAULT 'all',
        ADD COLUMN accept_batch boolean NOT NULL DEFAULT false,
        ADD COLUMN parent_id text,
        ADD COLUMN fair_key text,
        ADD COLUMN dispatched_at timestamptz,
        ADD COLUMN finished_at timestamptz,
        ADD COLUMN output bytea,
        ADD COLUMN output_content_type text,
        ADD COLUMN output_mime text`);
    await queryRunner.query(`
      UPDATE ${s}.requests SET state = 'SCHEDULED', not_before = retry_at, retry_at = NULL
      WHERE state = 'NO_WORKER_AVAILABLE' AND retry_at IS NOT NULL`);
    await queryRunner.query(`
      UPDATE ${s}.requests SET finished_at = updated_at
      WHERE state IN ('SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED')`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.requests_waiting_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.requests_retry_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.requests_deadline_idx`);
    await queryRunner.query(
      `CREATE INDEX requests_backlog_idx ON ${s}.requests (worker_type, priority DESC, seq)
       WHERE state IN ('NO_WORKER_AVAILABLE', 'QUEUED')`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_fair_idx ON ${s}.requests (worker_type, fair_key, priority DESC, seq)
       WHERE state IN ('NO_WORKER_AVAILABLE', 'QUEUED') AND fair_key IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_outstanding_idx ON ${s}.requests (worker_type)
       WHERE state IN ('TO_DISPATCH', 'DISPATCHED', 'RUNNING')`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_timeout_idx ON ${s}.requests (deadline)
       WHERE state IN ('TO_DISPATCH', 'DISPATCHED', 'RUNNING') AND deadline IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_scheduled_idx ON ${s}.requests (not_before) WHERE state = 'SCHEDULED'`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_start_by_idx ON ${s}.requests (start_by)
       WHERE start_by IS NOT NULL AND state IN ('NO_WORKER_AVAILABLE', 'QUEUED', 'SCHEDULED')`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_parent_idx ON ${s}.requests (parent_id, created_at, id) WHERE parent_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_finished_idx ON ${s}.requests (finished_at) WHERE finished_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.finished_requests (
        id text PRIMARY KEY,
        payload_sha256 bytea NOT NULL,
        state text NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX finished_requests_at_idx ON ${s}.finished_requests (finished_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.dispatch_controls (
        worker_type text PRIMARY KEY,
        paused boolean NOT NULL DEFAULT false,
        pause_reason text,
        paused_by text,
        paused_at timestamptz,
        tokens double precision,
        tokens_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.dispatch_controls`);
    await queryRunner.query(`DROP TABLE ${s}.finished_requests`);
    for (const index of [
      'requests_finished_idx',
      'requests_parent_idx',
      'requests_start_by_idx',
      'requests_scheduled_idx',
      'requests_timeout_idx',
      'requests_outstanding_idx',
      'requests_fair_idx',
      'requests_backlog_idx',
    ])
      await queryRunner.query(`DROP INDEX ${s}.${index}`);
    await queryRunner.query(
      `CREATE INDEX requests_deadline_idx ON ${s}.requests (deadline) WHERE state IN ('DISPATCHED', 'RUNNING') AND deadline IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_retry_idx ON ${s}.requests (retry_at) WHERE retry_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_waiting_idx ON ${s}.requests (worker_type, seq) WHERE state = 'NO_WORKER_AVAILABLE'`,
    );
    await queryRunner.query(`
      ALTER TABLE ${s}.requests
        DROP COLUMN priority, DROP COLUMN not_before, DROP COLUMN start_by, DROP COLUMN notify,
        DROP COLUMN accept_batch, DROP COLUMN parent_id, DROP COLUMN fair_key,
        DROP COLUMN dispatched_at, DROP COLUMN finished_at, DROP COLUMN output,
        DROP COLUMN output_content_type, DROP COLUMN output_mime`);
  }
}
