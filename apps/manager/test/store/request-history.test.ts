import { Client } from 'pg';
import { useTestNamespace } from '@org/testkit';
import { createDataSource, migrate } from '../../src/database/create-data-source';

/**
 * `request_history` is kept by statement triggers (one INSERT … SELECT, or one DELETE, per
 * statement): the rows must be those the row triggers wrote, one per insert and one per change of
 * state, step or attempt, in order, none for an update that changes nothing of those, and none
 * left once their request is deleted (the foreign key's cascade did that before).
 */
describe('request history (statement triggers)', () => {
  const ns = useTestNamespace('hist');

  it('records each insert and each change of state, step or attempt once, in order, and forgets deleted requests', async () => {
    const dataSource = createDataSource({
      databaseUrl: ns().databaseUrl,
      schema: ns().name,
      poolSize: 2,
    });
    await dataSource.initialize();
    try {
      await migrate(dataSource, ns().name);
    } finally {
      await dataSource.destroy();
    }
    const client = new Client({ connectionString: ns().databaseUrl });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${ns().name}"`);
      const ids = ['h1', 'h2', 'h3'];
      await client.query(
        `INSERT INTO requests (id, state, content_type, steps, worker_type, input,
           input_content_type, payload_sha256)
         SELECT id, 'QUEUED', 'text/h', ARRAY['hw'], 'hw', '\\x00'::bytea, 'text/h', '\\x00'::bytea
         FROM unnest($1::text[]) AS id`,
        [ids],
      );
      await client.query(
        `UPDATE requests SET state = 'TO_DISPATCH', attempt = 1 WHERE id = ANY($1)`,
        [ids],
      );
      // Neither state, step nor attempt: no history.
      await client.query(`UPDATE requests SET lease_until = now() WHERE id = ANY($1)`, [ids]);
      // One row of three changes.
      await client.query(`UPDATE requests SET state = 'DISPATCHED' WHERE id = 'h2'`);
      await client.query(`UPDATE requests SET step = 1, worker_id = 'w1' WHERE id = 'h3'`);

      const { rows } = await client.query<{ request_id: string; state: string; step: number }>(
        `SELECT request_id, state, step, attempt, worker_id FROM request_history ORDER BY id`,
      );
      const of = (id: string) =>
        rows.filter((row) => row.request_id === id).map((row) => `${row.state}/${row.step}`);
      expect(of('h1')).toEqual(['QUEUED/0', 'TO_DISPATCH/0']);
      expect(of('h2')).toEqual(['QUEUED/0', 'TO_DISPATCH/0', 'DISPATCHED/0']);
      expect(of('h3')).toEqual(['QUEUED/0', 'TO_DISPATCH/0', 'TO_DISPATCH/1']);
      expect(rows.at(-1)).toMatchObject({ request_id: 'h3', attempt: 1, worker_id: 'w1' });
      expect(rows).toHaveLength(8);

      // Deleted requests take their history with them: directly, and graph steps (rows whose
      // graph_of is a deleted coordinator, whose own graph_of is its id) through the cascade.
      await client.query(`UPDATE requests SET graph_of = id WHERE id = 'h3'`);
      await client.query(
        `INSERT INTO requests (id, state, content_type, steps, worker_type, input,
           input_content_type, payload_sha256, graph_of, step_id)
         VALUES ('h3~a', 'QUEUED', 'text/h', ARRAY['hw'], 'hw', '\\x00'::bytea, 'text/h', '\\x00'::bytea, 'h3', 'a')`,
      );
      await client.query(`DELETE FROM requests WHERE id = ANY($1)`, [['h1', 'h3']]);
      const left = await client.query<{ request_id: string }>(
        `SELECT DISTINCT request_id FROM request_history ORDER BY request_id`,
      );
      expect(left.rows.map((row) => row.request_id)).toEqual(['h2']);
    } finally {
      await client.end();
    }
  });
});
