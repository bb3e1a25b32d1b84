import { HEADERS } from '@org/protocol';
import { collectEvents, header, PgBouncer, useTestNamespace, waitFor } from '@org/testkit';
import { database, startTestManager, startTestWorker } from '../support/harness';
import { publishMany } from '../support/publish-many';

const TOTAL = 5000;
const POOL_SIZE = 5;

/**
 * Issue 18, "Done when" 2: manager replicas behind PgBouncer in transaction mode (Debian's 1.18,
 * which has no protocol-level prepared statements in that mode), statements unnamed
 * (`WM_DATABASE_POOLER=transaction`), migrations over the direct URL.
 */
describe('manager replicas behind PgBouncer in transaction mode', () => {
  const ns = useTestNamespace('pb');
  let bouncer: PgBouncer | undefined;

  beforeEach(async () => {
    bouncer = await PgBouncer.start({ poolSize: POOL_SIZE });
  });

  afterEach(async () => {
    await bouncer?.stop();
    bouncer = undefined;
  });

  it(`two replicas run ${TOTAL} requests on ${POOL_SIZE} server connections: none lost, no pooler error`, async () => {
    const space = ns();
    const config = { workers: [{ type: 'pooled', contentTypes: ['pooled/x'] }] };
    const throughPooler = {
      databaseUrl: bouncer!.url(),
      // Migrations take a session-level advisory lock: a direct connection.
      databaseDirectUrl: space.databaseUrl,
      databasePooler: 'transaction' as const,
      databasePoolSize: 10,
      dispatchLeaseMs: 10_000,
    };
    const replicas = [
      await startTestManager(space, config, throughPooler),
      await startTestManager(space, config, throughPooler),
    ];
    const events = await collectEvents(space);
    await startTestWorker(space, { type: 'pooled', concurrency: 50 }, replicas);
    await startTestWorker(space, { type: 'pooled', concurrency: 50 }, replicas);

    let peak = { clients: 0, servers: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const pool of await bouncer!.pools()) {
          if (pool.database !== 'pgbouncer') {
            peak = {
              clients: Math.max(peak.clients, pool.clients),
              servers: Math.max(peak.servers, pool.servers),
            };
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const ids = await publishMany(space.channel, space.names, 'pooled', TOTAL, 'pooled/x');
    try {
      await events.waitFor(TOTAL, (m) => header(m, HEADERS.state) === 'SUCCESS', 150_000);
    } finally {
      sampling = false;
      await sampler;
    }

    const ended = new Set(
      events
        .matching((m) => header(m, HEADERS.state) === 'SUCCESS')
        .map((m) => String(header(m, HEADERS.requestId))),
    );
    expect(ids.filter((id) => !ended.has(id))).toEqual([]);
    const db = await database(space);
    await waitFor(
      async () =>
        (
          await db.query<{ n: number }>(
            'SELECT (SELECT count(*) FROM requests)::int + (SELECT count(*) FROM outbox)::int AS n',
          )
        ).rows[0]?.n === 0,
      { what: 'no request row or outbox event left' },
    );
    process.stdout.write(
      `pgbouncer test: ${TOTAL} requests, peak ${peak.clients} client and ${peak.servers} server connections (pool ${POOL_SIZE})\n`,
    );
    // Twenty client connections (two replicas × 10) shared POOL_SIZE server connections.
    expect(peak.servers).toBeGreaterThan(0);
    expect(peak.servers).toBeLessThanOrEqual(POOL_SIZE);
    expect(peak.clients).toBeGreaterThan(POOL_SIZE);
    expect(bouncer!.problems()).toEqual([]);
  });
});
