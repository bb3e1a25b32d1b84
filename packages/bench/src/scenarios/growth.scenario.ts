import { Client } from 'pg';
import { type RequestState } from '@org/protocol';
import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { nowMs } from '../support/clock';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

/** Finished rows a long-running deployment keeps: errored ones (keepErrors) and the like. */
const FINISHED_STATES: readonly RequestState[] = [
  'ERROR',
  'ERROR',
  'ERROR',
  'INVALID_CONTENT',
  'CANCELLED',
];

/**
 * Growth: steady one-step throughput with a small and then a large number of finished rows
 * already in the requests table (the manager's indexes must keep intake, dispatch and responses
 * flat). Rows are inserted with `generate_series` into the schema the manager's migrations made,
 * then `ANALYZE`d as autovacuum would.
 */
export const growthScenario: Scenario = {
  name: 'growth',
  title: 'This system, throughput as the requests table grows',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const [small, large] = options.growthRows;
    const system = await SystemUnderTest.start({
      prefix: 'bench_growth',
      concurrency: options.concurrency,
    });
    const db = new Client({ connectionString: system.ns.databaseUrl });
    await db.connect();
    try {
      await system.warmUp(Math.min(500, options.n)); // also: the manager has migrated its schema
      let rows = 0;
      for (const [target, id] of [
        [small, 'growth.small'],
        [large, 'growth.large'],
      ] as const) {
        const started = nowMs();
        await insertFinishedRows(db, system.ns.name, rows, target - rows);
        rows = target;
        log(
          `${rows.toLocaleString('en-US')} finished rows in the table (inserted in ${((nowMs() - started) / 1000).toFixed(1)} s)`,
        );
        const burst = await system.burst(options.n);
        log(`${Math.round(burst.rate)} req/s`);
        results.add({
          id,
          scenario: 'growth',
          label: `One step with ${rows.toLocaleString('en-US')} rows in table`,
          value: burst.rate,
          unit: 'msg/s',
          ...(id === 'growth.large'
            ? {
                baselineId: 'growth.small',
                target: { kind: 'ratio-at-least', min: 0.8 } as const,
                chart: 'throughput' as const,
              }
            : {}),
          note: `n=${burst.count}`,
        });
      }
    } finally {
      await db.end().catch(() => undefined);
      await system.stop();
    }
  },
};

/** Inserts `count` finished rows numbered from `from`, spread over the last 30 days, in 100k-row statements. */
async function insertFinishedRows(
  db: Client,
  schema: string,
  from: number,
  count: number,
): Promise<void> {
  const chunk = 100_000;
  for (let start = from; start < from + count; start += chunk) {
    const end = Math.min(from + count, start + chunk) - 1;
    await db.query(
      `INSERT INTO "${schema}".requests
         (id, state, content_type, steps, step, worker_type, attempt, cycle_attempts, input, input_content_type,
          payload_sha256, messages, created_at, updated_at)
       SELECT 'growth-' || i, ($3::text[])[1 + i % cardinality($3::text[])], $4, ARRAY[$5], 0, $5, 1, 1,
              convert_to('{"i":' || i || '}', 'UTF8'), $4, sha256(convert_to('{"i":' || i || '}', 'UTF8')),
              ARRAY['bench: pre-inserted finished row'],
              now() - (i % 2592000) * interval '1 second', now() - (i % 2592000) * interval '1 second'
       FROM generate_series($1::bigint, $2::bigint) AS i`,
      [start, end, FINISHED_STATES, BENCH.noopContentType, BENCH.noopType],
    );
  }
  await db.query(`ANALYZE "${schema}".requests`);
  await db.query(`ANALYZE "${schema}".request_history`).catch(() => undefined);
}
