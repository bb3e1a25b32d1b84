import { type PgBouncer } from '@org/testkit';

/**
 * Reads PgBouncer's `SHOW POOLS` every `everyMs` and keeps the peaks: server connections open to
 * PostgreSQL and client connections, summed over the pooled databases (the admin console's own
 * `pgbouncer` pseudo-database left out).
 */
export class PoolSampler {
  peakServers = 0;
  peakClients = 0;
  samples = 0;
  /** Reads that failed (the admin console busy or restarting): reported, not hidden. */
  errors = 0;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly bouncer: PgBouncer,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const next = Date.now() + this.everyMs;
      try {
        const pools = (await this.bouncer.pools()).filter((pool) => pool.database !== 'pgbouncer');
        const servers = pools.reduce((sum, pool) => sum + pool.servers, 0);
        const clients = pools.reduce((sum, pool) => sum + pool.clients, 0);
        this.peakServers = Math.max(this.peakServers, servers);
        this.peakClients = Math.max(this.peakClients, clients);
        this.samples += 1;
      } catch {
        this.errors += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  }
}
