/**
 * Database time per statement from `pg_stat_statements`, to read beside a bench run: calls, rows,
 * total and per-call milliseconds, the costliest first. The extension must be preloaded by the
 * server (`shared_preload_libraries = 'pg_stat_statements'`, a restart); with
 * `pg_stat_statements.track = all` the statements inside triggers are counted too. Timing each of
 * those costs time itself: a trigger's statement (history, cascades) runs slower and looks
 * costlier than it is, so compare runs taken with the same setting and measure throughput without
 * the extension (a change that looked 16% faster with `track = all` was no faster without it).
 *
 * ```sh
 * node packages/bench/dist/tools/statement-times.js --reset     # before the run
 * pnpm bench -- --only system --no-write
 * node packages/bench/dist/tools/statement-times.js [top]        # after it (default top 20)
 * ```
 *
 * `DATABASE_URL` picks the server (default `postgres://postgres@127.0.0.1:5432/postgres`); the
 * extension is created in that database when missing. Schema names are folded to `<ns>` so the
 * same statement of two bench namespaces reads as one line.
 */
import { Client } from 'pg';

interface StatementRow {
  readonly query: string;
  readonly calls: string;
  readonly rows: string;
  readonly total_ms: number;
}

/** One line per statement shape: whitespace folded, schema names replaced, cut to `width`. */
export function statementLabel(query: string, width = 110): string {
  const folded = query
    .replace(/\s+/g, ' ')
    .replace(/"[a-z][a-z0-9_-]*_[0-9a-f]{8}"/g, '<ns>')
    .trim();
  return folded.length <= width ? folded : `${folded.slice(0, width - 1)}…`;
}

/** Rows of `pg_stat_statements` merged by label, the costliest first. */
export function statementTable(rows: readonly StatementRow[], top: number): string[] {
  const merged = new Map<string, { calls: number; rows: number; ms: number }>();
  for (const row of rows) {
    const label = statementLabel(row.query);
    const entry = merged.get(label) ?? { calls: 0, rows: 0, ms: 0 };
    entry.calls += Number(row.calls);
    entry.rows += Number(row.rows);
    entry.ms += row.total_ms;
    merged.set(label, entry);
  }
  const header = `${'total ms'.padStart(9)} ${'calls'.padStart(7)} ${'rows'.padStart(8)} ${'ms/call'.padStart(8)}  statement`;
  return [
    header,
    ...[...merged]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(
        ([label, { calls, rows, ms }]) =>
          `${ms.toFixed(0).padStart(9)} ${String(calls).padStart(7)} ${String(rows).padStart(8)} ${(ms / Math.max(1, calls)).toFixed(2).padStart(8)}  ${label}`,
      ),
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const reset = argv.includes('--reset');
  const top = Number(argv.find((arg) => /^\d+$/.test(arg)) ?? 20);
  const client = new Client({
    connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    const { rows: loaded } = await client.query<{ setting: string }>(
      `SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'`,
    );
    if (!/pg_stat_statements/.test(loaded[0]?.setting ?? '')) {
      console.error(
        "pg_stat_statements is not preloaded: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart the server",
      );
      return 2;
    }
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    if (reset) {
      await client.query('SELECT pg_stat_statements_reset()');
      console.log('pg_stat_statements reset');
      return 0;
    }
    const { rows } = await client.query<StatementRow>(
      `SELECT query, calls::text, rows::text, total_exec_time AS total_ms FROM pg_stat_statements`,
    );
    console.log(statementTable(rows, top).join('\n'));
    return 0;
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    },
  );
}
