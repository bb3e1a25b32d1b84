import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Remembers which `WM_CONFIG` content was last applied (a SHA-256 of the validated document), so
 * a restart with an unchanged file keeps a configuration imported through REST since then,
 * and only an edited file replaces it. Additive: replicas of the previous version ignore it.
 */
export class ConfigSource1750000200000 implements MigrationInterface {
  name = 'ConfigSource1750000200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`ALTER TABLE ${s}.manager_config ADD COLUMN source_sha256 text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`ALTER TABLE ${s}.manager_config DROP COLUMN source_sha256`);
  }
}
