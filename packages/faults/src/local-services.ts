import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { databaseUrl, waitFor } from '@org/testkit';

const run = promisify(execFile);

/**
 * Faults on the local RabbitMQ and PostgreSQL that other engineers' tests share. Every outage is
 * undone in `finally`, and also at process exit should the suite die mid-outage, so the services
 * are never left down.
 */

/** Runs `rabbitmqctl` with `args`. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** How many messages `queue` holds (ready and unacknowledged), 0 when it does not exist. */
export async function queueDepth(queue: string): Promise<number> {
  const line = (await rabbitmqctl('list_queues', '-q', 'name', 'messages'))
    .split('\n')
    .find((row) => row.startsWith(`${queue}\t`));
  return Number(line?.split('\t')[1] ?? 0);
}

/** The local PostgreSQL cluster's major version (`ls /etc/postgresql`, the highest). */
export function postgresVersion(): string {
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (!latest) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  return latest;
}

function pgctl(action: 'start' | 'stop'): string[] {
  return [
    '--skip-systemctl-redirect',
    postgresVersion(),
    'main',
    action,
    ...(action === 'stop' ? ['-m', 'fast'] : []),
  ];
}

/** Last-resort restore if the process exits while a service is down. */
const restoreAtExit = new Set<() => void>();
process.once('exit', () => {
  for (const restore of restoreAtExit) {
    try {
      restore();
    } catch {
      // Nothing more can be done at exit.
    }
  }
});

export interface Outage {
  /** Milliseconds the service was down. */
  readonly downMs: number;
  /** Milliseconds from the restart command until the service answered again. */
  readonly restartMs: number;
}

/**
 * Stops the broker's application (`rabbitmqctl stop_app`), runs `during` while it is down, keeps it
 * down until at least `minDownMs` have passed, then starts it and waits for `await_startup`.
 */
export async function withBrokerStopped(
  minDownMs: number,
  during: () => Promise<void>,
): Promise<Outage> {
  const restore = () => execFileSync('rabbitmqctl', ['start_app'], { timeout: 60_000 });
  restoreAtExit.add(restore);
  const down = Date.now();
  const at = { restart: down };
  try {
    await rabbitmqctl('stop_app');
    await during();
    await holdUntil(down + minDownMs);
  } finally {
    at.restart = Date.now();
    await rabbitmqctl('start_app');
    await rabbitmqctl('await_startup');
    restoreAtExit.delete(restore);
  }
  return { downMs: at.restart - down, restartMs: Date.now() - at.restart };
}

/** Stops the PostgreSQL cluster, runs `during`, keeps it down `minDownMs`, starts it again. */
export async function withDatabaseStopped(
  minDownMs: number,
  during: () => Promise<void>,
): Promise<Outage> {
  const restore = () => execFileSync('pg_ctlcluster', pgctl('start'), { timeout: 60_000 });
  restoreAtExit.add(restore);
  const down = Date.now();
  const at = { restart: down };
  try {
    await run('pg_ctlcluster', pgctl('stop'), { timeout: 60_000 });
    await during();
    await holdUntil(down + minDownMs);
  } finally {
    at.restart = Date.now();
    await run('pg_ctlcluster', pgctl('start'), { timeout: 60_000 });
    await waitFor(databaseAnswers, { timeoutMs: 60_000, intervalMs: 100, what: 'PostgreSQL back' });
    restoreAtExit.delete(restore);
  }
  return { downMs: at.restart - down, restartMs: Date.now() - at.restart };
}

async function databaseAnswers(): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl() });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Keeps a fault in place until `deadline`: the outage's length is a parameter of the fault, not
 * a wait for some state, so it is a deadline polled like any other condition.
 */
export async function holdUntil(deadline: number): Promise<void> {
  await waitFor(() => Date.now() >= deadline, {
    timeoutMs: Math.max(0, deadline - Date.now()) + 5000,
    intervalMs: 100,
    what: 'the end of the outage',
  });
}
