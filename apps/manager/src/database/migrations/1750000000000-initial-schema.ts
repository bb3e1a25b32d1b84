import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The manager's tables. `requests` holds live requests and the finished ones kept for
 * inspection; the partial indexes serve exactly the hot queries, so a million finished rows do
 * not slow dispatch, sweeps or intake.
 */
export class InitialSchema1750000000000 implements MigrationInterface {
  name = 'InitialSchema1750000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.requests (
        id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
        seq bigserial NOT NULL,
        state text NOT NULL,
        content_type text NOT NULL,
        workflow text,
        steps text[] NOT NULL,
        step integer NOT NULL DEFAULT 0,
        worker_type text NOT NULL,
        attempt integer NOT NULL DEFAULT 0,
        cycle_attempts integer NOT NULL DEFAULT 0,
        input bytea NOT NULL,
        input_content_type text NOT NULL,
        input_mime text,
        meta jsonb NOT NULL DEFAULT '{}'::jsonb,
        payload_sha256 bytea NOT NULL,
        tenant text,
        owner text,
        session text,
        correlation_id text,
        reply_to text,
        traceparent text,
        tracestate text,
        messages text[] NOT NULL DEFAULT '{}',
        worker_id text,
        timeout_ms integer,
        lease_until timestamptz,
        deadline timestamptz,
        retry_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX requests_waiting_idx ON ${s}.requests (worker_type, seq) WHERE state = 'NO_WORKER_AVAILABLE'`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_lease_idx ON ${s}.requests (lease_until) WHERE state = 'TO_DISPATCH'`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_deadline_idx ON ${s}.requests (deadline) WHERE state IN ('DISPATCHED', 'RUNNING') AND deadline IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX requests_retry_idx ON ${s}.requests (retry_at) WHERE retry_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.outbox (
        id bigserial PRIMARY KEY,
        request_id text NOT NULL,
        event jsonb NOT NULL,
        body bytea NOT NULL,
        reply_to text,
        claimed_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX outbox_claim_idx ON ${s}.outbox (claimed_until)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.manager_config (
        id integer PRIMARY KEY CHECK (id = 1),
        version integer NOT NULL,
        document jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.manager_config`);
    await queryRunner.query(`DROP TABLE ${s}.outbox`);
    await queryRunner.query(`DROP TABLE ${s}.requests`);
  }
}
