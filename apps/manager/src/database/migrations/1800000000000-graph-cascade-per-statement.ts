import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * A graph request's step rows deleted with it by a statement trigger instead of the foreign key's
 * `ON DELETE CASCADE`.
 *
 * The cascade ran as a row trigger: every deleted request, graph or not, cost one lookup of its
 * steps through the key's own statement, about 3 µs a row (a 5,000-row DELETE took 25 ms with the
 * key and 10 ms without it, four runs), and every answer deletes the rows it finished. The
 * statement trigger looks up the steps of the coordinators among a statement's deleted rows (a
 * coordinator's `graph_of` is its own id) in one DELETE; deleting steps fires it again and finds
 * no coordinator among them. The key's other job, refusing a step row whose coordinator is gone,
 * is the engine's own rule: steps are created in the transaction that holds their coordinator's
 * row locked (engine/graph-rows, GraphRunner).
 */
export class GraphCascadePerStatement1800000000000 implements MigrationInterface {
  name = 'GraphCascadePerStatement1800000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`ALTER TABLE ${s}.requests DROP CONSTRAINT requests_graph_of_fkey`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.forget_deleted_graph_steps() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        coordinators text[] := ARRAY(SELECT d.id FROM deleted_rows d WHERE d.graph_of = d.id);
      BEGIN
        -- Most deletes hold no graph request: no statement at all then (the planner cannot tell
        -- an empty array from a parameter, and may scan the table for it).
        IF cardinality(coordinators) > 0 THEN
          DELETE FROM ${s}.requests WHERE graph_of = ANY (coordinators);
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER request_graph_steps_delete AFTER DELETE ON ${s}.requests
      REFERENCING OLD TABLE AS deleted_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.forget_deleted_graph_steps()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${schemaOf(queryRunner)}"`;
    await queryRunner.query(`DROP TRIGGER request_graph_steps_delete ON ${s}.requests`);
    await queryRunner.query(`DROP FUNCTION ${s}.forget_deleted_graph_steps()`);
    // Steps whose coordinator is gone would break the key: none are left by the trigger.
    await queryRunner.query(
      `ALTER TABLE ${s}.requests ADD CONSTRAINT requests_graph_of_fkey
       FOREIGN KEY (graph_of) REFERENCES ${s}.requests (id) ON DELETE CASCADE`,
    );
  }
}
