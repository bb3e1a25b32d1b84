import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Channel } from 'amqplib';
import { buildRequest, type Names } from '@org/protocol';
import { type TestNamespace, useTestNamespace, waitFor } from '@org/testkit';
import { TestWorker } from './support/test-worker';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const REQUESTS = 2000;
const MIB = 1024 * 1024;
/** A little under WM_MAX_PAYLOAD_BYTES (1 MiB): the largest payload the manager accepts. */
const PAYLOAD = MIB - 1024;

function rssBytes(pid: number): { rss: number; peak: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, peak: 0 }; // exited: the test reports why
  }
  const kib = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

async function startManagerProcess(
  ns: TestNamespace,
  configPath: string,
): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: ns.env({ WM_CONFIG: configPath, PORT: '0', WM_SWEEP_INTERVAL_MS: '200' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  ns.defer(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the manager exited with ${child.exitCode}: ${stderr}`);
      return (await consumerCount(ns.amqpUrl, ns.names)) > 0;
    },
    { timeoutMs: 30_000, what: 'the manager process consuming requests' },
  );
  return { child, stderr: () => stderr };
}

async function consumerCount(url: string, names: Names): Promise<number> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return (
      (await channel.checkQueue(names.queues.managerRequests).catch(() => undefined))
        ?.consumerCount ?? 0
    );
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Counts SUCCESS events without keeping their (1 MiB) bodies. */
async function countSuccesses(channel: Channel, names: Names): Promise<() => number> {
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, names.exchanges.events, 'success.#');
  let count = 0;
  await channel.consume(queue, () => (count += 1), { noAck: true });
  return () => count;
}

describe('memory bounded by bytes (design 5.1, WM_MAX_INFLIGHT_BYTES)', () => {
  const ns = useTestNamespace('mem');

  it('keeps the manager under 300 MB of RSS while 2,000 requests of 1 MiB flow through it', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run pnpm build first`);
    const dir = mkdtempSync(join(tmpdir(), 'wm-memory-'));
    const configPath = join(dir, 'manager.yaml');
    writeFileSync(configPath, 'workers:\n  - type: big\n    contentTypes: [data/big]\n');
    ns().workerTypes.add('big');
    const { child: manager, stderr } = await startManagerProcess(ns(), configPath);
    // The worker answers each job with its own 1 MiB body: outputs are as big as inputs.
    const worker = await TestWorker.start({
      names: ns().names,
      amqpUrl: ns().amqpUrl,
      type: 'big',
      concurrency: 16,
    });
    ns().defer(() => worker.stop());

    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const successes = await countSuccesses(await connection.createChannel(), ns().names);
    const publisher = await connection.createConfirmChannel();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(manager.pid!).rss);
    }, 100);
    try {
      const body = Buffer.alloc(PAYLOAD, 7);
      for (let index = 0; index < REQUESTS; index++) {
        const message = buildRequest(ns().names, {
          requestId: `big-${index}`,
          contentType: 'data/big',
          body,
        });
        publisher.publish(message.exchange, message.routingKey, message.content, message.options);
        // Bounded in flight on the requester side too: wait for confirms every 50.
        if (index % 50 === 49) await publisher.waitForConfirms();
      }
      await publisher.waitForConfirms();
      await waitFor(
        () => {
          if (manager.exitCode !== null)
            throw new Error(`the manager exited: ${stderr().slice(-3000)}`);
          return successes() >= REQUESTS;
        },
        {
          what: `${REQUESTS} SUCCESS events`,
          timeoutMs: 240_000,
          intervalMs: 200,
        },
      );
    } finally {
      clearInterval(sampler);
    }
    const { peak: highWater } = rssBytes(manager.pid!);
    console.log(
      `manager RSS: sampled peak ${(peak / MIB).toFixed(0)} MB, VmHWM ${(highWater / MIB).toFixed(0)} MB`,
    );
    expect(successes()).toBe(REQUESTS);
    expect(highWater).toBeLessThan(300 * MIB);
  }, 300_000);
});
