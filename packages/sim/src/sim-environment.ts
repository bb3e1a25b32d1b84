import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Client } from 'pg';
import { createTestNamespace, type TestNamespace } from '@org/testkit';
import { ManagerReplicas } from './cluster/manager-replicas';
import { simOutDir } from './cluster/paths';

/** Settings of one scenario's deployment. */
export interface SimEnvironmentOptions {
  /** Short name, used in log file names. */
  readonly name: string;
  /** Worker types to configure; type `t` routes content type `sim/<t>`. */
  readonly types: readonly string[];
  /** `WM_HEARTBEAT_EXPIRY_MS` of the replicas. */
  readonly heartbeatExpiryMs: number;
  /** More environment for the replicas. @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One scenario's deployment: its own namespace on the broker and schema in PostgreSQL, the
 * manager configuration routing `sim/<type>` to each type, the replicas' environment, a pg
 * client on the schema, and a requester connection. `close()` stops what was started and
 * deletes the namespace.
 */
export class SimEnvironment {
  readonly replicas: ManagerReplicas;

  private constructor(
    readonly ns: TestNamespace,
    readonly db: Client,
    readonly requester: ChannelModel,
    readonly requesterChannel: ConfirmChannel,
    readonly options: SimEnvironmentOptions,
  ) {
    const configPath = join(simOutDir(), `${options.name}-${ns.name}.yaml`);
    // JSON is YAML: the manager reads it as its WM_CONFIG file.
    writeFileSync(
      configPath,
      JSON.stringify({
        workers: options.types.map((type) => ({ type, contentTypes: [contentTypeOf(type)] })),
      }),
    );
    this.replicas = new ManagerReplicas({
      logPrefix: `${options.name}`,
      env: ns.env({
        WM_CONFIG: configPath,
        WM_HEARTBEAT_EXPIRY_MS: String(options.heartbeatExpiryMs),
        LOG_LEVEL: 'warn',
        ...options.env,
      }),
    });
  }

  static async create(options: SimEnvironmentOptions): Promise<SimEnvironment> {
    const ns = await createTestNamespace('sim');
    for (const type of options.types) ns.workerTypes.add(type);
    const db = new Client({ connectionString: ns.databaseUrl });
    await db.connect();
    const requester = await connect(ns.amqpUrl);
    const channel = await requester.createConfirmChannel();
    channel.on('error', () => undefined);
    return new SimEnvironment(ns, db, requester, channel, options);
  }

  /** Points the pg client at the namespace's schema (once the first replica migrated it). */
  async useSchema(): Promise<void> {
    await this.db.query(`SET search_path TO "${this.ns.name}"`);
  }

  /** Messages waiting in the shared liveness queue (a passive declare: no management API). */
  async livenessBacklog(): Promise<number> {
    const channel = await this.requester.createChannel();
    try {
      return (await channel.checkQueue(this.ns.names.queues.managerWorkers)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.replicas.stopAll();
    await this.requester.close().catch(() => undefined);
    await this.db.end().catch(() => undefined);
    await this.ns.cleanup();
  }
}

export function contentTypeOf(type: string): string {
  return `sim/${type}`;
}

/** `count` worker type names: sim-t00, sim-t01, … */
export function simTypes(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `sim-t${String(index).padStart(2, '0')}`);
}

/** Polls `probe` every `intervalMs` until it returns true; throws naming `what` after `timeoutMs`. */
export async function until(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
