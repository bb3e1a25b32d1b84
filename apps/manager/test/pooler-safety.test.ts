import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SOURCE = join(__dirname, '..', 'src');

// Migrations, and the function that runs them under its advisory lock, use DATABASE_DIRECT_URL.
const DIRECT_CONNECTION_FILES = new Set(['database/create-data-source.ts']);
const DIRECT_CONNECTION_DIRS = ['database/migrations/'];

/** SQL that needs a session, which PgBouncer in transaction mode does not keep between statements. */
const SESSION_LEVEL: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  {
    what: 'a session-level advisory lock',
    pattern: /pg_(try_)?advisory_(un)?lock(_shared)?\s*\(/i,
  },
  { what: 'LISTEN/UNLISTEN', pattern: /\b(UN)?LISTEN\s+["\w*]/ },
  { what: 'an SQL-level PREPARE/DEALLOCATE', pattern: /['"`]\s*(PREPARE|DEALLOCATE)\s/i },
  {
    what: 'a session SET (SET LOCAL and SET TRANSACTION are fine)',
    pattern: /['"`]\s*SET\s+(?!LOCAL\b|TRANSACTION\b)/i,
  },
  { what: 'search_path', pattern: /search_path/i },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * `DATABASE_URL` may go through PgBouncer in transaction mode (docs/deploy.md): nothing sent on
 * it may rely on the session. This reads the manager's sources for the SQL that would.
 */
describe('SQL on the pooled connection', () => {
  it('keeps no session state outside the migrations (which use DATABASE_DIRECT_URL)', () => {
    const findings: string[] = [];
    for (const file of sourceFiles(SOURCE)) {
      const path = relative(SOURCE, file);
      if (DIRECT_CONNECTION_FILES.has(path)) continue;
      if (DIRECT_CONNECTION_DIRS.some((dir) => path.startsWith(dir))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const { what, pattern } of SESSION_LEVEL) {
            if (pattern.test(line)) findings.push(`${path}:${index + 1}: ${what}: ${line.trim()}`);
          }
        });
    }
    expect(findings).toEqual([]);
  });

  it('would see one', () => {
    const lines = [
      "await client.query('SELECT pg_advisory_lock($1)', [key]);",
      "await client.query('LISTEN wm_events');",
      'await client.query(`SET statement_timeout = 1000`);',
      "await client.query('PREPARE claim AS SELECT 1');",
    ];
    expect(
      lines.map((line) => SESSION_LEVEL.filter(({ pattern }) => pattern.test(line)).length),
    ).toEqual([1, 1, 1, 1]);
    const fine = [
      "await client.query('SELECT pg_advisory_xact_lock($1)', [key]);",
      "await client.query('SET LOCAL statement_timeout = 1000');",
      'UPDATE requests SET state = $1 WHERE id = $2',
    ];
    expect(fine.filter((line) => SESSION_LEVEL.some(({ pattern }) => pattern.test(line)))).toEqual(
      [],
    );
  });
});
