import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The history of each request's state changes, for `GET /api/v1/requests/{id}`, and the indexes
 * the operator's listing and counts need.
 *
 * A trigger writes the history, in the same transaction as the change itself: every path that
 * moves a request (intake, dispatch, responses, sweeps, REST) is covered without each one having
 * to remember it, and a rolled-back change leaves no trace. The foreign key prunes the history
 * with its request.
 */
export class RequestHistory1750000100000 implements MigrationInterface {
  name = 'RequestHistory1750000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    const s = `"${schema}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.request_history (
        id bigserial PRIMARY KEY,
        request_id text NOT NULL REFERENCES ${s}.requests (id) ON DELETE CASCADE,
        state text NOT NULL,
        step integer NOT NULL,
        attempt integer NOT NULL,
        worker_type text NOT NULL,
        worker_id text,
        messages text[] NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(
      `CREATE INDEX request_history_request_idx ON ${s}.request_history (request_id, id)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION ${s}.record_request_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
        VALUES (NEW.id, NEW.state, NEW.step, NEW.attempt, NEW.worker_type, NEW.worker_id, NEW.messages);
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_insert AFTER INSERT ON ${s}.requests
      FOR EACH ROW EXECUTE FUNCTION ${s}.record_request_history()`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_update AFTER UPDATE OF state, step, attempt ON ${s}.requests
      FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.step IS DISTINCT FROM NEW.step OR OLD.attempt IS DISTINCT FROM NEW.attempt)
      EXECUTE FUNCTION ${s}.record_request_history()`);
    // Listing sorted by creation (filtered by state or not) and counts by state (index-only).
    await queryRunner.query(
      `CREATE INDEX requests_state_created_idx ON ${s}.requests (state, created_at, id)`,
    );
    await queryRunner.query(`CREATE INDEX requests_created_idx ON ${s}.requests (created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP INDEX ${s}.requests_created_idx`);
    await queryRunner.query(`DROP INDEX ${s}.requests_state_created_idx`);
    await queryRunner.query(`DROP TRIGGER request_history_update ON ${s}.requests`);
    await queryRunner.query(`DROP TRIGGER request_history_insert ON ${s}.requests`);
    await queryRunner.query(`DROP FUNCTION ${s}.record_request_history()`);
    await queryRunner.query(`DROP TABLE ${s}.request_history`);
  }
}
