import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useTestNamespace } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCliManager } from './support/cli-fixture';

describe('wm submit --batch', () => {
  const ns = useTestNamespace('clib');

  it('submits a 10,000-line file in chunks and summarises by state, skipped ones with their reason', async () => {
    // No worker: every routed request waits NO_WORKER_AVAILABLE, which keeps the test about intake.
    const { url } = await startCliManager(ns(), {
      workers: [{ type: 'cli-batch', contentTypes: ['cli/batch'] }],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'wm-cli-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'requests.jsonl');
    const lines = Array.from({ length: 10_000 }, (_, index) =>
      JSON.stringify(
        index % 1000 === 999
          ? { contentType: 'cli/unrouted', payload: { n: index } }
          : { requestId: `b-${index}`, payload: { n: index } },
      ),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);

    const run = await runCli(
      ['--json', 'submit', '--batch', file, '--content-type', 'cli/batch', '--tenant', 'bulk'],
      {
        env: { WM_URL: url },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.skipped);
    const summary = JSON.parse(run.stdout) as {
      lines: number;
      byState: Record<string, number>;
      skipped: Record<string, number>;
    };
    expect(summary.lines).toBe(10_000);
    expect(summary.byState).toEqual({ NO_WORKER_AVAILABLE: 9_990, SKIPPED: 10 });
    expect(Object.values(summary.skipped)).toEqual([10]);

    const listed = await runCli(['--json', 'list', '--tenant', 'bulk', '--all', '--limit', '500'], {
      env: { WM_URL: url },
    });
    const ids = listed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids).size).toBe(9_990);

    // The same file again: every routed line is absorbed as a duplicate, none recorded twice.
    const again = await runCli(['submit', '--batch', file, '-t', 'cli/batch', '--tenant', 'bulk'], {
      env: { WM_URL: url },
    });
    expect(again.code).toBe(EXIT.skipped);
    expect(again.stdout).toMatch(/^10000 request\(s\) submitted, 9990 already known$/m);
    expect(again.stdout).toMatch(/^NO_WORKER_AVAILABLE +9990$/m);
  });

  it('a bad line stops the run before anything is submitted, naming the line', async () => {
    const { url } = await startCliManager(ns(), {
      workers: [{ type: 'cli-batch', contentTypes: ['cli/batch'] }],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'wm-cli-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"contentType":"cli/batch","payload":1}\n\n{"contentType": oops}\n');
    const run = await runCli(['submit', '--batch', file], { env: { WM_URL: url } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(new RegExp(`^wm: ${file} line 3 is not JSON: .+\\n$`));
    const list = await runCli(['--json', 'list'], { env: { WM_URL: url } });
    expect(list.stdout).toBe('');

    // A line the manager refuses (a priority out of range): the chunk is named with the reason.
    writeFileSync(file, '{"contentType":"cli/batch","payload":1,"priority":42}\n');
    const refused = await runCli(['submit', '--batch', file], { env: { WM_URL: url } });
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(
      /^wm: lines 1-1 were refused .*requests\[0\]\.priority.*\[HTTP 400 validation_failed\].*\n$/,
    );
  });
});
