import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The dashboard's tables.
 *
 * - `audit_log`: one row per operator action (who, what, on which requests or filter, how many
 *   were applied and skipped). Append-only; read newest first by id, so the key is the only index.
 * - `minute_stats`: jobs finished per minute, worker type and replica (succeeded, failed, a
 *   bounded sample of durations), written every few seconds by each replica from what it applied,
 *   kept two hours: the overview's charts, the same on every replica and across restarts, while
 *   the requests themselves may be deleted when they succeed.
 */
export class DashboardAudit1775000000000 implements MigrationInterface {
  name = 'DashboardAudit1775000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target jsonb NOT NULL DEFAULT '{}'::jsonb,
        count integer,
        skipped integer,
        outcome text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.minute_stats (
        minute timestamptz NOT NULL,
        worker_type text NOT NULL,
        replica text NOT NULL,
        succeeded integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        durations_ms double precision[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (minute, worker_type, replica)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.minute_stats`);
    await queryRunner.query(`DROP TABLE ${s}.audit_log`);
  }
}
