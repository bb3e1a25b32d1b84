import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useTestNamespace } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCliManager, startCliWorker } from './support/cli-fixture';

const CONFIG = {
  workers: [{ type: 'cli-work', contentTypes: ['cli/job'] }],
};

/** The worker ends each job as its payload says, after a PROGRESS. */
async function startOutcomeWorker(
  ns: ReturnType<ReturnType<typeof useTestNamespace>>,
  url: string,
): Promise<void> {
  await startCliWorker<{ outcome: string }>(ns, url, {
    type: 'cli-work',
    handler: async (job, ctx) => {
      const { outcome } = job.json<{ outcome: string }>();
      await ctx.progress(50);
      if (outcome === 'error') return ctx.error('it broke');
      if (outcome === 'invalid') return ctx.invalid('no sku');
      return ctx.success({ json: { done: true } });
    },
  });
}

describe('wm submit', () => {
  const ns = useTestNamespace('cli');

  it('--wait follows the events and exits 0 on SUCCESS, 1 on ERROR, 3 on INVALID_CONTENT', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    await startOutcomeWorker(ns(), url);
    const env = { WM_URL: url };

    const ok = await runCli(
      ['submit', '-t', 'cli/job', '{"outcome":"success"}', '--wait', '--id', 'ok-1'],
      { env },
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.stdout).toMatch(/^ok-1 {2}(DISPATCHED|QUEUED)/m);
    expect(ok.stdout).toMatch(/ok-1 {2}GRANTED/);
    expect(ok.stdout).toMatch(/ok-1 {2}SUCCESS {2}cli-work/);

    const failed = await runCli(['submit', '-t', 'cli/job', '{"outcome":"error"}', '--wait'], {
      env,
    });
    expect(failed.code).toBe(EXIT.requestError);
    expect(failed.stdout).toMatch(/ERROR {2}cli-work.*it broke/);

    const invalid = await runCli(['submit', '-t', 'cli/job', '{"outcome":"invalid"}', '--wait'], {
      env,
    });
    expect(invalid.code).toBe(EXIT.invalidContent);
    expect(invalid.stdout).toMatch(/INVALID_CONTENT .*no sku/);
  });

  it('--wait --json prints the submit answer and every event as JSON lines, PROGRESS included', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    await startOutcomeWorker(ns(), url);
    const run = await runCli(
      [
        '--json',
        'submit',
        '--content-type',
        'cli/job',
        '{"outcome":"success"}',
        '--wait',
        '--tenant',
        'acme',
      ],
      { env: { WM_URL: url } },
    );
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      id: expect.any(String),
      state: expect.stringMatching(/DISPATCHED|QUEUED/),
    });
    const states = lines.slice(1).map((line) => line['state']);
    expect(states).toEqual(['GRANTED', 'RUNNING', 'PROGRESS', 'SUCCESS']);
    expect(lines.at(-1)).toMatchObject({
      requestId: lines[0]!['id'],
      tenant: 'acme',
      outputBytes: 13,
    });
  });

  it('a file or stdin as payload, SKIPPED exits 5 with the reason, without --wait exits 0 at once', async () => {
    const { url } = await startCliManager(ns(), CONFIG);
    const env = { WM_URL: url };
    const dir = mkdtempSync(path.join(tmpdir(), 'wm-cli-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'payload.json');
    writeFileSync(file, '{"outcome":"success"}');

    const fromFile = await runCli(
      ['submit', '-t', 'cli/job', '--file', file, '--id', 'f-1', '--priority', '7'],
      { env },
    );
    expect(fromFile.code).toBe(EXIT.ok);
    expect(fromFile.stdout).toBe('f-1  NO_WORKER_AVAILABLE\n');
    const stored = await runCli(['--json', 'get', 'f-1'], { env });
    expect(JSON.parse(stored.stdout)).toMatchObject({
      id: 'f-1',
      priority: 7,
      inputMime: 'application/json',
      inputBytes: 21,
    });

    const fromStdin = await runCli(['submit', '-t', 'cli/job', '--file', '-', '--id', 's-1'], {
      env,
      input: 'raw bytes',
    });
    expect(fromStdin.code).toBe(EXIT.ok);
    const raw = await runCli(['--json', 'get', 's-1'], { env });
    expect(JSON.parse(raw.stdout)).toMatchObject({
      inputMime: 'application/octet-stream',
      inputBytes: 9,
    });

    const skipped = await runCli(['submit', '-t', 'cli/nowhere', '{}', '--wait'], { env });
    expect(skipped.code).toBe(EXIT.skipped);
    expect(skipped.stdout).toMatch(/SKIPPED {2}.+/);

    const noType = await runCli(['submit', '{}'], { env });
    expect(noType.code).toBe(EXIT.usage);
    expect(noType.stderr).toBe(
      'wm: --content-type is required (the business content type that routes the request)\n',
    );
    const badJson = await runCli(['submit', '-t', 'cli/job', '{oops'], { env });
    expect(badJson.code).toBe(EXIT.usage);
    expect(badJson.stderr).toMatch(/^wm: the payload argument is not JSON: .+\n$/);
  });
});
