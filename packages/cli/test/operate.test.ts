import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { useTestNamespace, waitFor } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCli, startCliManager, startCliWorker } from './support/cli-fixture';

const CONFIG = {
  workers: [
    { type: 'cli-idle', contentTypes: ['cli/idle'] },
    { type: 'cli-echo', contentTypes: ['cli/echo'] },
  ],
};

describe('wm operating requests, workers and configuration', () => {
  const ns = useTestNamespace('clio');

  it('get, list, and retry / cancel / delete one and by filter with a preview count and --yes', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    const env = { WM_URL: url };
    for (const id of ['r-1', 'r-2', 'r-3']) {
      const submitted = await runCli(
        ['submit', '-t', 'cli/idle', '{"a":1}', '--id', id, '--owner', 'ann'],
        { env },
      );
      expect(submitted.code).toBe(EXIT.ok);
    }

    const detail = await runCli(['get', 'r-1'], { env });
    expect(detail.code).toBe(EXIT.ok);
    expect(detail.stdout).toMatch(/^id: +r-1$/m);
    expect(detail.stdout).toMatch(/^state: +NO_WORKER_AVAILABLE$/m);
    expect(detail.stdout).toMatch(/^owner: +ann$/m);
    expect(detail.stdout).toMatch(/^history$/m);
    const missing = await runCli(['get', 'nope'], { env });
    expect(missing.code).toBe(EXIT.refused);
    expect(missing.stderr).toMatch(/^wm: .*nope.* \[HTTP 404 not_found\]\n$/);

    const table = await runCli(['list', '--owner', 'ann', '--sort', 'createdAt'], { env });
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID +STATE +CONTENT TYPE +WORKER +STEP +ATTEMPT +CREATED +MESSAGES$/);
    expect(rows.slice(1, 4).map((row) => row.split(/ +/)[0])).toEqual(['r-1', 'r-2', 'r-3']);
    // Columns are aligned: every row's state starts where the header's does.
    const stateColumn = rows[0]!.indexOf('STATE');
    for (const row of rows.slice(1, 4))
      expect(row.slice(stateColumn)).toMatch(/^NO_WORKER_AVAILABLE /);
    expect(rows[4]).toBe('3 shown; matching by state: NO_WORKER_AVAILABLE 3');

    // One by id.
    const cancelled = await runCli(['cancel', 'r-1'], { env });
    expect(cancelled.stdout).toBe('r-1  CANCELLED\n');
    const retried = await runCli(['--json', 'retry', 'r-1'], { env });
    expect(JSON.parse(retried.stdout)).toEqual({ id: 'r-1', state: 'NO_WORKER_AVAILABLE' });

    // By filter: without --yes (and no terminal) only the preview, nothing changes, exit 2.
    const preview = await runCli(['cancel', '--owner', 'ann', '--reason', 'maintenance'], { env });
    expect(preview.code).toBe(EXIT.usage);
    expect(preview.stderr).toBe(
      '3 request(s) would be cancelled\nwm: nothing was cancelled: add --yes to cancel 3 request(s)\n',
    );
    const still = await runCli(['--json', 'list', '--state', 'CANCELLED'], { env });
    expect(still.stdout).toBe('');
    const all = await runCli(['cancel', '--owner', 'ann', '--reason', 'maintenance', '--yes'], {
      env,
    });
    expect(all.stdout).toBe('3 request(s) cancelled\n');
    const reasons = await runCli(['--json', 'get', 'r-2'], { env });
    expect(JSON.parse(reasons.stdout)).toMatchObject({
      state: 'CANCELLED',
      messages: ['maintenance'],
    });

    const retryAll = await runCli(['--json', 'retry', '--state', 'CANCELLED', '-y'], { env });
    expect(JSON.parse(retryAll.stdout)).toMatchObject({
      operation: 'retry',
      matching: 3,
      done: true,
      count: 3,
    });
    const deleteOne = await runCli(['delete', 'r-3'], { env });
    expect(deleteOne.stdout).toBe('r-3  deleted\n');
    const deleteAll = await runCli(['delete', '--content-type', 'cli/idle', '--yes'], { env });
    expect(deleteAll.stdout).toBe('2 request(s) deleted\n');
    const none = await runCli(['--json', 'list'], { env });
    expect(none.stdout).toBe('');

    const noFilter = await runCli(['delete'], { env });
    expect(noFilter.code).toBe(EXIT.usage);
    expect(noFilter.stderr).toMatch(/^wm: delete needs a request id or at least one filter/);
  });

  it('watch prints live events for a filter; workers; pause and resume', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    const env = { WM_URL: url };
    await startCliWorker(ns(), url, {
      type: 'cli-echo',
      handler: (job, ctx) => ctx.success({ body: job.body }),
    });

    const watcher = startCli(['watch', '--request-id', 'w-1', '--count', '3'], { env });
    ns().defer(() => watcher.kill());
    await watcher.stderrContains('watching');
    // An event of another request is filtered out.
    await runCli(['submit', '-t', 'cli/echo', '"other"', '--id', 'w-0', '--wait'], { env });
    await runCli(['submit', '-t', 'cli/echo', '"hello"', '--id', 'w-1'], { env });
    const watched = await watcher.result;
    expect(watched.code).toBe(EXIT.ok);
    const states = watched.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/ {2}/).slice(1, 3));
    expect(states).toEqual([
      ['w-1', 'GRANTED'],
      ['w-1', 'RUNNING'],
      ['w-1', 'SUCCESS'],
    ]);

    const workers = await runCli(['workers'], { env });
    expect(workers.code).toBe(EXIT.ok);
    const lines = workers.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^TYPE +STATUS +INSTANCES +CAPACITY +IN FLIGHT +WAITING +OLDEST +PROCESSED +FAILED +CONTENT TYPES$/,
    );
    expect(lines.find((line) => line.startsWith('cli-echo'))).toMatch(
      /^cli-echo +available +1 +\d+ +0 +0 +- +\d+ +0 +cli\/echo$/,
    );
    expect(lines.find((line) => line.startsWith('cli-idle'))).toMatch(/^cli-idle +unavailable +0 /);

    const paused = await runCli(['pause', 'cli-echo', '--reason', 'deploy'], { env });
    expect(paused.stdout).toBe('cli-echo  paused (deploy)\n');
    const waiting = await runCli(['submit', '-t', 'cli/echo', '"later"', '--id', 'w-2'], { env });
    expect(waiting.stdout).toBe('w-2  QUEUED\n');
    const resumed = await runCli(['--json', 'resume', 'cli-echo'], { env });
    expect(JSON.parse(resumed.stdout)).toMatchObject({ workerType: 'cli-echo', paused: false });
    const unknown = await runCli(['pause', 'no-such-type'], { env });
    expect(unknown.code).toBe(EXIT.refused);
  });

  it('config get, diff and put (YAML or JSON, If-Match)', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    const env = { WM_URL: url };
    const got = await runCli(['config', 'get'], { env });
    expect(got.code).toBe(EXIT.ok);
    expect(got.stdout).toMatch(/^workers:\n/);
    expect(got.stdout).toContain('    type: cli-idle\n');
    const version = /version (\S+)/.exec(got.stderr)?.[1];
    expect(version).toBeDefined();

    const dir = mkdtempSync(path.join(tmpdir(), 'wm-cli-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const same = path.join(dir, 'same.yaml');
    writeFileSync(same, got.stdout);
    const noDiff = await runCli(['config', 'diff', same], { env });
    expect(noDiff).toMatchObject({ code: EXIT.ok, stdout: 'no difference\n' });

    const changed = path.join(dir, 'changed.yaml');
    const next = {
      workers: [...CONFIG.workers, { type: 'cli-new', contentTypes: ['cli/new'], timeoutMs: 5000 }],
    };
    writeFileSync(changed, stringify(next));
    const diff = await runCli(['config', 'diff', changed], { env });
    expect(diff.code).toBe(EXIT.differs);
    expect(diff.stdout).toContain(
      '+  - contentTypes:\n+      - cli/new\n+    timeoutMs: 5000\n+    type: cli-new\n',
    );
    expect(diff.stdout).not.toMatch(/^-(?!--)/m);

    const stale = await runCli(['config', 'put', changed, '--if-match', '"999"'], { env });
    expect(stale.code).toBe(EXIT.refused);
    expect(stale.stderr).toMatch(/\[HTTP 412 precondition_failed\]\n$/);
    const put = await runCli(['config', 'put', changed, '--if-match', version!], { env });
    expect(put.code).toBe(EXIT.ok);
    expect(put.stdout).toMatch(/^configuration in effect: version "\d+"\n$/);
    const after = await runCli(['config', 'diff', changed], { env });
    expect(after.code).toBe(EXIT.ok);

    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ workers: [{ type: 'Bad Type' }] }));
    const refused = await runCli(['config', 'put', invalid], { env });
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(
      /^wm: the configuration was not changed: .*workers\[0\].*\[HTTP 400 invalid_configuration\]\n$/,
    );
  });

  it('submit --callback-url, and get shows the webhook deliveries', async () => {
    // No webhook secret here: the delivery is given up at once, which is what get must show.
    const { url } = await startCliManager(ns(), CONFIG, { webhookPollMs: 50 });
    const env = { WM_URL: url };
    const submitted = await runCli(
      [
        'submit',
        '-t',
        'cli/idle',
        '{}',
        '--id',
        'cb-1',
        '--callback-url',
        'https://hooks.example.com/wm',
      ],
      { env },
    );
    expect(submitted.code).toBe(EXIT.ok);
    await runCli(['cancel', 'cb-1'], { env });
    const failed = await waitFor(
      async () => {
        const got = await runCli(['--json', 'get', 'cb-1'], { env });
        const detail = JSON.parse(got.stdout) as { webhooks: Array<{ state: string }> };
        return detail.webhooks[0]?.state === 'failed' && detail;
      },
      { intervalMs: 300, what: 'the webhook given up' },
    );
    expect(failed.webhooks).toEqual([
      expect.objectContaining({
        eventState: 'CANCELLED',
        url: 'https://hooks.example.com/wm',
        attempts: 1,
      }),
    ]);
    const human = await runCli(['get', 'cb-1'], { env });
    expect(human.stdout).toMatch(/^webhooks$/m);
    expect(human.stdout).toMatch(
      /^EVENT +DELIVERY +ATTEMPTS +STATUS +URL +LAST ERROR\nCANCELLED +failed +1 +- +https:\/\/hooks\.example\.com\/wm +no webhook secret configured/m,
    );
  });
});
