import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADERS } from '@org/protocol';
import { collectEvents, deferred, header, useTestNamespace, waitFor } from '@org/testkit';
import { database, startTestManager } from './support/harness';
import { publishMany } from './support/publish-many';
import { startSdkWorker } from './support/sdk-worker';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const TOTAL = 1500;
const SHUTDOWN_TIMEOUT_MS = 5000;
/** run-main's margin over WM_SHUTDOWN_TIMEOUT_MS before it gives up with exit code 1. */
const SHUTDOWN_MARGIN_MS = 5000;

/** GET /health/ready: the status code, or undefined when nothing listens any more. */
function readiness(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const call = httpRequest(
      { host: '127.0.0.1', port, path: '/health/ready', agent: false },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode));
      },
    );
    call.once('error', () => resolve(undefined));
    call.end();
  });
}

describe('a manager process stopped with SIGTERM under load', () => {
  const ns = useTestNamespace('ms');

  it('stops intake, reports not ready, finishes its batches and exits 0 within the bound; another replica completes every accepted request', async () => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: build the manager first (pnpm build)`);
    const dir = mkdtempSync(join(tmpdir(), 'wm-shutdown-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, 'workers:\n  - type: stopper\n    contentTypes: [stop/x]\n');
    ns().workerTypes.add('stopper');

    const child: ChildProcess = spawn(process.execPath, [MAIN], {
      env: ns().env({
        WM_CONFIG: configPath,
        PORT: '0',
        LOG_LEVEL: 'info',
        WM_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        WM_HEARTBEAT_EXPIRY_MS: '1500',
        WM_DISPATCH_LEASE_MS: '1000',
        WM_SWEEP_INTERVAL_MS: '100',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = deferred<{ code: number | null; at: number }>();
    child.once('exit', (code) => exited.resolve({ code, at: Date.now() }));
    ns().defer(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`the manager exited with ${child.exitCode}: ${output}`);
        const match = /started on port (\d+)/.exec(output);
        return match ? Number(match[1]) : undefined;
      },
      { timeoutMs: 30_000, what: 'the manager process listening' },
    );
    await waitFor(async () => (await readiness(port)) === 200, { what: 'the process ready' });

    const events = await collectEvents(ns());
    const db = await database(ns());
    await startSdkWorker(ns(), {
      type: 'stopper',
      concurrency: 16,
      reportRunning: false,
      handler: (job, ctx) => ctx.success({ body: job.body }),
    });
    const ids = await publishMany(ns().channel, ns().names, 's', TOTAL, 'stop/x');
    const successes = (m: Parameters<typeof header>[0]) => header(m, HEADERS.state) === 'SUCCESS';
    await events.waitFor(100, successes, 60_000);

    // Readiness is polled from the signal on: every answer must be 503 until nothing listens.
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const answers: number[] = [];
    for (;;) {
      const status = await readiness(port);
      if (status === undefined) break;
      answers.push(status);
    }
    const { code, at } = await exited.promise;
    const doneDuringStop = events.matching(successes).length;

    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS);
    // The first poll may race the signal handler; everything after the first 503 is 503.
    const firstNotReady = answers.indexOf(503);
    if (answers.length > 0) {
      expect(firstNotReady).toBeGreaterThanOrEqual(0);
      expect(answers.slice(firstNotReady).every((status) => status === 503)).toBe(true);
    }
    expect(output).toContain('SIGTERM received');
    expect(output).not.toMatch(/shutdown (failed|took longer)/);
    // It stopped before the whole load was through: the rest is left for another replica.
    expect(doneDuringStop).toBeLessThan(TOTAL);

    // Another replica takes over the queue and the database: every request completes.
    await startTestManager(ns(), undefined, { configPath });
    const done = (id: string) =>
      events.matching((m) => header(m, HEADERS.requestId) === id && successes(m)).length > 0;
    await waitFor(() => ids.every(done), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `a SUCCESS for each of the ${TOTAL} requests`,
    });
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM requests')).rows[0].n === 0,
      { what: 'no request left (none stranded in TO_DISPATCH or DISPATCHED)' },
    );
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0,
      { what: 'the outbox drained' },
    );
  }, 120_000);
});
