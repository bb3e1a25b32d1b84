import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { type Names } from '@org/protocol';
import { type TestNamespace, waitFor } from '@org/testkit';

/** The built manager entry point (`pnpm build` first). */
export const MANAGER_MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/**
 * Starts `node dist/main.js` in the namespace with the YAML configuration at `configPath`, and
 * waits until it consumes requests. Short timers, so a killed replica's leases expire quickly.
 */
export async function startManagerProcess(
  ns: TestNamespace,
  configPath: string,
): Promise<ChildProcess> {
  if (!existsSync(MANAGER_MAIN))
    throw new Error(`${MANAGER_MAIN} is missing: build the manager first (pnpm build)`);
  const child = spawn(process.execPath, [MANAGER_MAIN], {
    env: ns.env({
      WM_CONFIG: configPath,
      PORT: '0',
      WM_HEARTBEAT_EXPIRY_MS: '1500',
      WM_DISPATCH_LEASE_MS: '1000',
      WM_SWEEP_INTERVAL_MS: '100',
      WM_CONFIG_POLL_MS: '500',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the manager exited with ${child.exitCode}: ${stderr}`);
      return (await consumers(ns.amqpUrl, ns.names)) > 0;
    },
    { timeoutMs: 30_000, what: 'the manager process consuming requests' },
  );
  return child;
}

async function consumers(url: string, names: Names): Promise<number> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const queue = await channel.checkQueue(names.queues.managerRequests).catch(() => undefined);
    return queue?.consumerCount ?? 0;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
