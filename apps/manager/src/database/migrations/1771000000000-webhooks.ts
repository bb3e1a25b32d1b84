import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Webhooks (issue 17): a request may name a callback URL; its events are POSTed there.
 *
 * - `webhook_subscriptions`: one row per request that named a URL, written by intake in the
 *   transaction that records the request, with the API key it came through (its secret signs);
 *   or per member of a batch submitted with one callback (`batch_id`; `batch_state` its end).
 * - `webhook_batches`: such a batch, its `partial` policy and how many of its requests ended.
 * - `webhook_deliveries`: the webhook outbox. A delivery is written in the transaction of the
 *   state change whose event it carries (so a crash between commit and the call loses none), then
 *   claimed by any replica's poller, sent, and kept with its attempts, last HTTP status and error:
 *   the request's webhook history. `next_attempt_at` carries the backoff; `claimed_until` keeps two
 *   replicas from sending the same attempt, and lets another take over from a replica that died.
 *
 * Additive: replicas of the previous version neither write nor read these tables.
 */
export class Webhooks1771000000000 implements MigrationInterface {
  name = 'Webhooks1771000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.webhook_subscriptions (
        request_id text PRIMARY KEY,
        url text,
        events text NOT NULL DEFAULT 'terminal',
        key_name text,
        batch_id text,
        batch_state text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_subscriptions_batch ON ${s}.webhook_subscriptions (batch_id) WHERE batch_id IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.webhook_batches (
        id text PRIMARY KEY,
        url text NOT NULL,
        key_name text,
        partial text NOT NULL,
        total integer NOT NULL,
        ended integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        state text NOT NULL DEFAULT 'open',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.webhook_deliveries (
        id bigserial PRIMARY KEY,
        request_id text NOT NULL,
        url text NOT NULL,
        key_name text,
        event_state text NOT NULL,
        terminal boolean NOT NULL,
        payload text NOT NULL,
        traceparent text,
        tracestate text,
        state text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_deliveries_due ON ${s}.webhook_deliveries (next_attempt_at) WHERE state = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX webhook_deliveries_request ON ${s}.webhook_deliveries (request_id, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.webhook_deliveries`);
    await queryRunner.query(`DROP TABLE ${s}.webhook_subscriptions`);
    await queryRunner.query(`DROP TABLE ${s}.webhook_batches`);
  }
}
