import { Client } from 'pg';
import { type RequestState } from '@org/protocol';
import { type Scenario } from '../scenario';
import { BENCH } from '../support/bench-config';
import { nowMs } from '../support/clock';
import { percentiles } from '../support/percentiles';
import { SystemUnderTest, systemUnavailable } from '../support/system-under-test';

/** States of the rows behind the list: mostly finished, some failed, a few waiting. */
const STATES: readonly RequestState[] = [
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'SUCCESS',
  'ERROR',
  'CANCELLED',
  'INVALID_CONTENT',
  'NO_WORKER_AVAILABLE',
];
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
/** Calls per view, after WARM_UP calls each. */
const SAMPLES = 100;
const WARM_UP = 10;

/**
 * Dashboard at volume: the list page's data call (`GET /dashboard/api/requests`, what the page
 * fetches on every view) with the table holding `--dashboard-rows` rows (1,000,000 in `--full`),
 * over the views an operator opens: newest first, a state filter, a tenant filter, oldest first,
 * and the 20th page through the keyset cursor. p95 over all calls, judged against 300 ms.
 */
export const dashboardScenario: Scenario = {
  name: 'dashboard',
  title: 'Dashboard, requests list at volume',
  async run({ options, results, log }) {
    const unavailable = systemUnavailable();
    if (unavailable) return { skipped: unavailable };
    const system = await SystemUnderTest.start({
      prefix: 'bench_dashboard',
      concurrency: options.concurrency,
      withWorker: false,
    });
    const db = new Client({ connectionString: system.ns.databaseUrl });
    await db.connect();
    try {
      const started = nowMs();
      await insertRows(db, system.ns.name, options.dashboardRows);
      log(
        `${options.dashboardRows.toLocaleString('en-US')} rows inserted in ${((nowMs() - started) / 1000).toFixed(1)} s`,
      );
      const base = `http://127.0.0.1:${system.port}/dashboard/api/requests`;
      const get = async (query: string): Promise<{ ms: number; nextCursor: string | null }> => {
        const begin = nowMs();
        const response = await fetch(`${base}?${query}`);
        if (!response.ok) throw new Error(`GET ${query}: HTTP ${response.status}`);
        const page = (await response.json()) as { items: unknown[]; nextCursor: string | null };
        if (page.items.length !== 50) throw new Error(`GET ${query}: ${page.items.length} rows`);
        return { ms: nowMs() - begin, nextCursor: page.nextCursor };
      };
      // The 20th page's cursor, reached the way the page's "Next page" link does.
      let cursor = '';
      for (let page = 1; page < 20; page++) {
        const next = (await get(`limit=50${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor;
        cursor = encodeURIComponent(next!);
      }
      const views = [
        'limit=50',
        'limit=50&state=ERROR',
        'limit=50&tenant=globex',
        'limit=50&sort=createdAt',
        `limit=50&cursor=${cursor}`,
      ];
      const samples: number[] = [];
      for (const view of views) {
        for (let index = 0; index < WARM_UP; index++) await get(view);
        const mine: number[] = [];
        for (let index = 0; index < SAMPLES; index++) mine.push((await get(view)).ms);
        log(`${view.slice(0, 40)}: p95 ${percentiles(mine).p95.toFixed(1)} ms`);
        samples.push(...mine);
      }
      const figures = percentiles(samples);
      const rows = `${options.dashboardRows.toLocaleString('en-US')} rows`;
      results.add({
        id: 'dashboard.list-p50',
        scenario: 'dashboard',
        label: `Dashboard list page, ${rows}, p50`,
        value: figures.p50,
        unit: 'ms',
        note: `${figures.count} calls over ${views.length} views`,
      });
      results.add({
        id: 'dashboard.list-p95',
        scenario: 'dashboard',
        label: `Dashboard list page, ${rows}, p95`,
        value: figures.p95,
        unit: 'ms',
        target: { kind: 'value-below', max: 300 },
        note: `${figures.count} calls over ${views.length} views`,
      });
    } finally {
      await db.end().catch(() => undefined);
      await system.stop();
    }
  },
};

/** Inserts `count` rows spread over 30 days, tenants and states, in 100k-row statements. */
async function insertRows(db: Client, schema: string, count: number): Promise<void> {
  const chunk = 100_000;
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk) - 1;
    await db.query(
      `INSERT INTO "${schema}".requests
         (id, state, content_type, steps, step, worker_type, attempt, cycle_attempts, input, input_content_type,
          payload_sha256, tenant, messages, created_at, updated_at)
       SELECT 'dash-' || i, ($3::text[])[1 + i % cardinality($3::text[])], $4, ARRAY[$5], 0, $5, 1, 1,
              convert_to('{"i":' || i || '}', 'UTF8'), $4, sha256(convert_to('{"i":' || i || '}', 'UTF8')),
              ($6::text[])[1 + (i / 7) % cardinality($6::text[])], '{}'::text[],
              now() - (i % 2592000) * interval '1 second', now() - (i % 2592000) * interval '1 second'
       FROM generate_series($1::bigint, $2::bigint) AS i`,
      [start, end, STATES, BENCH.noopContentType, BENCH.noopType, TENANTS],
    );
  }
  await db.query(`ANALYZE "${schema}".requests`);
}
