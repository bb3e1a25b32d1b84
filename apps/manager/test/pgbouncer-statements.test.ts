import { PgBouncer, useTestNamespace, type TestNamespace } from '@org/testkit';
import { loadEnvironment, type DatabasePooler } from '../src/config/manager-environment';
import { createDataSource } from '../src/database/create-data-source';
import { DatabaseService } from '../src/database/database.service';

const POOL_SIZE = 5;
const unavailable = PgBouncer.unavailableReason();

if (unavailable) {
  // .ci/run installs pgbouncer; a developer machine without it says why these tests did not run.
  process.stdout.write(`PgBouncer tests skipped: ${unavailable}\n`);
}

/**
 * Why `WM_DATABASE_POOLER=transaction` exists: behind PgBouncer in transaction mode (Debian's
 * 1.18 has no protocol-level prepared statements there) a named statement prepared on one server
 * connection is missing, or already there, on the next. The 5,000-request run through the pooler
 * is `test/cluster/pgbouncer.cluster.test.ts` (`pnpm test:cluster`).
 */
(unavailable ? describe.skip : describe)('behind PgBouncer in transaction mode', () => {
  const ns = useTestNamespace('pb');
  let bouncer: PgBouncer | undefined;

  beforeEach(async () => {
    bouncer = await PgBouncer.start({ poolSize: POOL_SIZE });
  });

  afterEach(async () => {
    await bouncer?.stop();
    bouncer = undefined;
  });

  /** Runs `count` statements at once through DatabaseService on a pool of 10 behind the bouncer. */
  async function runStatements(space: TestNamespace, pooler: DatabasePooler, count: number) {
    const dataSource = createDataSource({
      databaseUrl: bouncer!.url(),
      schema: space.name,
      poolSize: 10,
    });
    await dataSource.initialize();
    try {
      const service = new DatabaseService(
        dataSource,
        loadEnvironment({ WM_NAMESPACE: space.name, WM_DATABASE_POOLER: pooler }),
      );
      const statement = service.statement('probe', 'SELECT $1::int + 1 AS v');
      return await Promise.allSettled(
        Array.from({ length: count }, (_, index) =>
          index % 2 === 0
            ? service.query<{ v: number }>(statement, [index])
            : service.transaction((tx) => tx.query<{ v: number }>(statement, [index])),
        ),
      );
    } finally {
      await dataSource.destroy();
    }
  }

  it('needs unnamed statements: named ones collide on shared server connections', async () => {
    const named = await runStatements(ns(), 'none', 200);
    const failures = named.filter((result) => result.status === 'rejected');
    expect(failures.length).toBeGreaterThan(0);
    expect(String((failures[0] as PromiseRejectedResult).reason)).toMatch(/prepared statement/);

    const unnamed = await runStatements(ns(), 'transaction', 200);
    expect(unnamed.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(
      unnamed.map((result) => (result.status === 'fulfilled' ? result.value[0]?.v : -1)),
    ).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
  });
});
