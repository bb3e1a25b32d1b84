import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The operators' audit log: one row per action taken through the dashboard (who, what, on which
 * requests or filter, how many were applied and skipped). Append-only; the page reads the newest
 * first by id, so the primary key is the only index.
 */
export class DashboardAudit1770000000000 implements MigrationInterface {
  name = 'DashboardAudit1770000000000';

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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schemaOf(queryRunner)}".audit_log`);
  }
}
