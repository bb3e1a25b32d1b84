import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Liveness as leases every replica reads, and the latest registration of each worker type.
 *
 * - `worker_instances`: one row per instance, written in batches by whichever replica took the
 *   worker message from the shared liveness queue; `last_seen` is the database's clock, so every
 *   replica judges expiry alike and a worker's clock never matters. Heartbeats update each row
 *   every interval: a low fill factor leaves room in each page for HOT updates (no index on a
 *   column that changes), so the churn is pruned in place instead of bloating the table.
 * - `worker_registrations`: per type, the latest registration's description, version, contract
 *   and payload JSON Schema; `revision` (from a sequence) lets replicas fetch only what changed.
 *
 * Additive: replicas of the previous version keep their in-memory liveness and ignore both tables.
 */
export class WorkerInstances1760000400000 implements MigrationInterface {
  name = 'WorkerInstances1760000400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.worker_instances (
        id text PRIMARY KEY,
        type text NOT NULL,
        status text NOT NULL,
        concurrency integer,
        batch integer,
        version text,
        host text,
        pid integer,
        started_at text,
        contract text,
        stats jsonb NOT NULL DEFAULT '{}'::jsonb,
        registered_at timestamptz NOT NULL,
        last_seen timestamptz NOT NULL
      ) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05)`);
    await queryRunner.query(
      `CREATE INDEX worker_instances_type ON ${s}.worker_instances (type, id)`,
    );
    await queryRunner.query(`CREATE SEQUENCE ${s}.worker_registration_revision`);
    await queryRunner.query(`
      CREATE TABLE ${s}.worker_registrations (
        type text PRIMARY KEY,
        instance_id text NOT NULL,
        description text,
        version text,
        contract text,
        content_types text[] NOT NULL DEFAULT '{}',
        payload_schema jsonb,
        registered_at timestamptz NOT NULL,
        revision bigint NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX worker_registrations_revision ON ${s}.worker_registrations (revision)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.worker_registrations`);
    await queryRunner.query(`DROP SEQUENCE ${s}.worker_registration_revision`);
    await queryRunner.query(`DROP TABLE ${s}.worker_instances`);
  }
}
