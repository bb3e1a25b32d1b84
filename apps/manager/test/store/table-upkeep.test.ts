import { Client } from 'pg';
import { useTestNamespace, waitFor } from '@org/testkit';
import { loadEnvironment } from '../../src/config/manager-environment';
import { createDataSource } from '../../src/database/create-data-source';
import { DatabaseService } from '../../src/database/database.service';
import {
  MIN_DEAD_ROWS,
  TableUpkeep,
  tablesToVacuum,
} from '../../src/database/table-upkeep.service';

describe('tablesToVacuum', () => {
  it('picks tables with enough dead rows, absolutely and against their live rows, most dead first', () => {
    expect(
      tablesToVacuum([
        { table: 'few', live: 10, dead: MIN_DEAD_ROWS - 1 },
        { table: 'history', live: 1_000_000, dead: 50_000 },
        { table: 'requests', live: 2_000, dead: 40_000 },
        { table: 'outbox', live: 0, dead: MIN_DEAD_ROWS },
      ]),
    ).toEqual(['requests', 'outbox']);
  });
});

/**
 * The manager vacuums its own churning tables when their dead rows pile up (a server with
 * autovacuum off kept every dead request row in the indexes the hot statements walk): the table
 * over the threshold is vacuumed, the one under it is left alone.
 */
describe('TableUpkeep against PostgreSQL', () => {
  const ns = useTestNamespace('upkeep');

  it('vacuums the schema table with many dead rows and leaves the others', async () => {
    const schema = ns().name;
    const client = new Client({ connectionString: ns().databaseUrl });
    await client.connect();
    const dataSource = createDataSource({
      databaseUrl: ns().databaseUrl,
      schema,
      poolSize: 2,
    });
    await dataSource.initialize();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      // Autovacuum must not do the work under test, whatever the server's setting.
      for (const table of ['churn', 'calm']) {
        await client.query(
          `CREATE TABLE ${table} (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false)`,
        );
      }
      await client.query(`INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 20000) g`);
      await client.query(`DELETE FROM churn WHERE id <= 12000`);
      await client.query(`INSERT INTO calm SELECT g, 'x' FROM generate_series(1, 100) g`);
      await client.query(`DELETE FROM calm WHERE id <= 50`);

      const stats = async () => {
        const { rows } = await client.query<{ table: string; dead: string; vacuums: string }>(
          `SELECT relname AS table, n_dead_tup AS dead, vacuum_count AS vacuums
           FROM pg_stat_user_tables WHERE schemaname = $1`,
          [schema],
        );
        return new Map(rows.map((row) => [row.table, row]));
      };
      // Statistics reach the shared view when the writing session reports them (within ~1 s).
      await waitFor(async () => Number((await stats()).get('churn')?.dead ?? 0) >= 12_000, {
        what: 'the dead rows of churn in pg_stat_user_tables',
      });

      const upkeep = new TableUpkeep(
        new DatabaseService(dataSource, loadEnvironment({ WM_NAMESPACE: schema })),
        loadEnvironment({ WM_NAMESPACE: schema, WM_VACUUM_INTERVAL_MS: '0' }),
      );
      expect(await upkeep.vacuumDue()).toEqual(['churn']);

      const after = await waitFor(
        async () => {
          const now = await stats();
          return Number(now.get('churn')?.vacuums) >= 1 ? now : undefined;
        },
        { what: 'the vacuum of churn in pg_stat_user_tables' },
      );
      expect(Number(after.get('churn')?.dead)).toBe(0);
      expect(Number(after.get('calm')?.vacuums)).toBe(0);
    } finally {
      await dataSource.destroy();
      await client.end();
    }
  });
});
