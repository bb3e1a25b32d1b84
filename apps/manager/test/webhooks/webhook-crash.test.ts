import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { WEBHOOK_HEADERS } from '@org/protocol';
import { publishRequest, type TestNamespace, useTestNamespace, waitFor } from '@org/testkit';
import { database } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';
import { WebhookReceiver } from './webhook-receiver';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** `node dist/main.js` in the namespace, with short webhook timers; resolves once it consumes requests. */
async function startManagerProcess(ns: TestNamespace, configPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: ns.env({
      WM_CONFIG: configPath,
      PORT: '0',
      LOG_LEVEL: 'warn',
      WM_HEARTBEAT_EXPIRY_MS: '1500',
      WM_SWEEP_INTERVAL_MS: '100',
      WM_WEBHOOK_SECRET: 'whsec-crash-0123456789',
      WM_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
      WM_WEBHOOK_POLL_MS: '50',
      WM_WEBHOOK_BACKOFF_MS: '200',
      // The claim of a call lasts 4 timeouts + 5 s: 7 s here, then another replica takes over.
      WM_WEBHOOK_TIMEOUT_MS: '500',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the manager exited with ${child.exitCode}: ${stderr}`);
      const connection = await connect(ns.amqpUrl);
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        const queue = await channel
          .checkQueue(ns.names.queues.managerRequests)
          .catch(() => undefined);
        return (queue?.consumerCount ?? 0) > 0;
      } finally {
        await connection.close().catch(() => undefined);
      }
    },
    { timeoutMs: 30_000, what: 'the manager process consuming requests' },
  );
  return child;
}

describe('a webhook when the manager is SIGKILLed between commit and delivery', () => {
  const ns = useTestNamespace('whk');

  it('is delivered by the restarted manager (at least once, same delivery id)', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run pnpm build first`);
    const dir = mkdtempSync(join(tmpdir(), 'wm-webhook-crash-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, 'workers:\n  - type: hook-crash\n    contentTypes: [hook/crash]\n');
    const receiver = await WebhookReceiver.start();
    ns().defer(() => receiver.stop());
    // The first call is held open: the manager dies while it is in flight.
    receiver.mode = { kind: 'hold' };

    let first: ChildProcess | undefined = await startManagerProcess(ns(), configPath);
    ns().defer(() => first?.kill('SIGKILL'));
    await startSdkWorker(ns(), {
      type: 'hook-crash',
      handler: (_job, ctx) => ctx.success({ json: { ok: true } }),
    });
    publishRequest(ns(), {
      requestId: 'crash-1',
      contentType: 'hook/crash',
      body: Buffer.from('{}'),
      callbackUrl: receiver.url(),
    });
    const [held] = await receiver.received(1);
    first.kill('SIGKILL');
    await new Promise((resolve) => first!.once('exit', resolve));
    first = undefined;
    receiver.mode = { kind: 'ok' };

    const second = await startManagerProcess(ns(), configPath);
    ns().defer(() => {
      second.kill('SIGTERM');
      return new Promise((resolve) => second.once('exit', resolve));
    });
    const calls = await receiver.received(2, 30_000);
    expect(calls[1]!.headers[WEBHOOK_HEADERS.id]).toBe(held!.headers[WEBHOOK_HEADERS.id]);
    expect(calls[1]!.headers[WEBHOOK_HEADERS.attempt]).toBe('2');
    expect(JSON.parse(calls[1]!.body)).toMatchObject({ requestId: 'crash-1', state: 'SUCCESS' });
    const db = await database(ns());
    await waitFor(async () => {
      const rows = await db.query('SELECT state, attempts, last_status FROM webhook_deliveries');
      return rows.rows[0]?.state === 'delivered' && rows.rows;
    });
    const { rows } = await db.query('SELECT state, attempts, last_status FROM webhook_deliveries');
    expect(rows).toEqual([{ state: 'delivered', attempts: 2, last_status: 200 }]);
  }, 90_000);
});
