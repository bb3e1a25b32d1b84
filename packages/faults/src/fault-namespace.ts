import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { Client } from 'pg';
import {
  deleteTopology,
  livenessTopology,
  managerTopology,
  mergeTopology,
  namesFor,
  type Names,
} from '@org/protocol';
import { amqpUrl, databaseUrl } from '@org/testkit';

/**
 * One scenario's slice of the shared broker and database, like the testkit's namespace but
 * holding no connection of its own: a scenario restarts the broker and stops the database,
 * so cleanup opens fresh connections and every query below uses a client of its own.
 */
export class FaultNamespace {
  readonly names: Names;
  readonly workerTypes = new Set<string>();
  /** A scratch directory (configuration file, execution logs), removed at cleanup. */
  readonly dir: string;
  private readonly deferred: Array<() => unknown> = [];

  private constructor(readonly name: string) {
    this.names = namesFor(name);
    this.dir = mkdtempSync(join(tmpdir(), `wm-faults-${name}-`));
  }

  static create(prefix = 'f'): FaultNamespace {
    return new FaultNamespace(`${prefix}_${randomBytes(4).toString('hex')}`);
  }

  get amqpUrl(): string {
    return amqpUrl();
  }

  get databaseUrl(): string {
    return databaseUrl();
  }

  /** Environment of a manager or worker process in this namespace. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      AMQP_URL: amqpUrl(),
      DATABASE_URL: databaseUrl(),
      WM_NAMESPACE: this.name,
      ...extra,
    };
  }

  /** Runs `fn` at cleanup, last registered first. */
  defer(fn: () => unknown): void {
    this.deferred.push(fn);
  }

  /** Runs one query on the namespace's schema with a client of its own. */
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: databaseUrl() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`SET search_path TO "${this.name}"`);
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async cleanup(): Promise<void> {
    for (const fn of this.deferred.reverse()) {
      try {
        await fn();
      } catch {
        // Cleanup goes on: a process already gone or a connection already closed is fine here.
      }
    }
    const connection = await connect(amqpUrl());
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await deleteTopology(
        channel,
        mergeTopology(managerTopology(this.names, this.workerTypes), livenessTopology(this.names)),
      ).catch(() => undefined);
    } finally {
      await connection.close().catch(() => undefined);
    }
    const client = new Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
    } finally {
      await client.end();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a fresh namespace and always cleans it up (processes, queues, schema). */
export async function withNamespace<T>(
  prefix: string,
  fn: (ns: FaultNamespace) => Promise<T>,
): Promise<T> {
  const ns = FaultNamespace.create(prefix);
  try {
    return await fn(ns);
  } finally {
    await ns.cleanup();
  }
}
