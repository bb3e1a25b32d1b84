import { Client } from 'pg';

/**
 * Stands in for the autovacuum launcher on a server that runs without it (`autovacuum = off`,
 * as this project's CI PostgreSQL does): `VACUUM`s one table every `everyMs`, on its own
 * connection so that the samplers' readings are not held up. What it tests is what autovacuum
 * relies on: that nothing the deployment does (a transaction left open on a pooled server
 * connection, a killed replica's session) keeps dead row versions from being reclaimed.
 */
export class VacuumStandIn {
  runs = 0;
  failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private constructor(
    private readonly client: Client,
    private readonly table: string,
  ) {}

  /** Whether the server's autovacuum launcher runs (`autovacuum` and `track_counts` on). */
  static async autovacuumRuns(db: Client): Promise<boolean> {
    const { rows } = await db.query<{ on: boolean }>(
      `SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on' AS on`,
    );
    return rows[0]?.on === true;
  }

  /** Connects and starts vacuuming `"<schema>"."<table>"` every `everyMs`. */
  static async start(
    databaseUrl: string,
    schema: string,
    table: string,
    everyMs: number,
  ): Promise<VacuumStandIn> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const standIn = new VacuumStandIn(client, `"${schema}"."${table}"`);
    standIn.timer = setInterval(() => {
      standIn.running ??= standIn.vacuum().finally(() => {
        standIn.running = undefined;
      });
    }, everyMs);
    return standIn;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.client.end().catch(() => undefined);
  }

  private async vacuum(): Promise<void> {
    try {
      await this.client.query(`VACUUM ${this.table}`);
      this.runs += 1;
    } catch {
      this.failures += 1;
    }
  }
}
