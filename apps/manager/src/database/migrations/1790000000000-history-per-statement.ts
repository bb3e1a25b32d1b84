import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * `request_history` written once per statement instead of once per row.
 *
 * The history rows are the same (one per insert, one per update that changes the state, step or
 * attempt), but the row triggers ran a PL/pgSQL function and a one-row INSERT for every row the
 * engine wrote in bulk: about 18 µs per state change, half the cost of a 500-row claim. Statement
 * triggers with transition tables append all of a statement's changes in one INSERT … SELECT.
 * PostgreSQL allows no column list on an UPDATE trigger with transition tables, so the update
 * trigger runs for every UPDATE of `requests` and compares old and new images itself.
 *
 * The foreign key from the history to its request goes too: it checked every history row it
 * inserted against `requests` and, on each deleted request (every success that is not kept), ran
 * its cascade as one DELETE per request. A statement trigger on DELETE removes the history of all
 * the rows a statement deleted in one go, cascaded graph steps included (the cascade's own DELETE
 * fires it). Measured with the engine's statement shapes (`packages/bench/sql/history-triggers.sh`):
 * the history's cost fell from about 65 µs per request to 22 µs.
 */
export class HistoryPerStatement1790000000000 implements MigrationInterface {
  name = 'HistoryPerStatement1790000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TRIGGER request_history_update ON ${s}.requests`);
    await queryRunner.query(`DROP TRIGGER request_history_insert ON ${s}.requests`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.record_inserted_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
        SELECT n.id, n.state, n.step, n.attempt, n.worker_type, n.worker_id, n.messages
        FROM inserted_rows n ORDER BY n.seq;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.record_updated_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.request_history (request_id, state, step, attempt, worker_type, worker_id, messages)
        SELECT n.id, n.state, n.step, n.attempt, n.worker_type, n.worker_id, n.messages
        FROM updated_rows n JOIN previous_rows o ON o.id = n.id
        WHERE (o.state, o.step, o.attempt) IS DISTINCT FROM (n.state, n.step, n.attempt)
        ORDER BY n.seq;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.forget_deleted_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- An array, not a join: joined to the transition table the planner may choose a
        -- sequential scan of the whole history (97 ms for one deleted row among 1.2 million).
        DELETE FROM ${s}.request_history WHERE request_id = ANY (ARRAY(SELECT d.id FROM deleted_rows d));
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `ALTER TABLE ${s}.request_history DROP CONSTRAINT request_history_request_id_fkey`,
    );
    await queryRunner.query(`
      CREATE TRIGGER request_history_delete AFTER DELETE ON ${s}.requests
      REFERENCING OLD TABLE AS deleted_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.forget_deleted_history()`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_insert AFTER INSERT ON ${s}.requests
      REFERENCING NEW TABLE AS inserted_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.record_inserted_history()`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_update AFTER UPDATE ON ${s}.requests
      REFERENCING OLD TABLE AS previous_rows NEW TABLE AS updated_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.record_updated_history()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TRIGGER request_history_update ON ${s}.requests`);
    await queryRunner.query(`DROP TRIGGER request_history_insert ON ${s}.requests`);
    await queryRunner.query(`DROP TRIGGER request_history_delete ON ${s}.requests`);
    await queryRunner.query(`DROP FUNCTION ${s}.forget_deleted_history()`);
    await queryRunner.query(
      `ALTER TABLE ${s}.request_history ADD CONSTRAINT request_history_request_id_fkey
       FOREIGN KEY (request_id) REFERENCES ${s}.requests (id) ON DELETE CASCADE`,
    );
    await queryRunner.query(`DROP FUNCTION ${s}.record_updated_history()`);
    await queryRunner.query(`DROP FUNCTION ${s}.record_inserted_history()`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_insert AFTER INSERT ON ${s}.requests
      FOR EACH ROW EXECUTE FUNCTION ${s}.record_request_history()`);
    await queryRunner.query(`
      CREATE TRIGGER request_history_update AFTER UPDATE OF state, step, attempt ON ${s}.requests
      FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.step IS DISTINCT FROM NEW.step OR OLD.attempt IS DISTINCT FROM NEW.attempt)
      EXECUTE FUNCTION ${s}.record_request_history()`);
  }
}
