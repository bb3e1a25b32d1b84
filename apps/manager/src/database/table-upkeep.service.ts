import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Statement } from './database.service';

/** A table is vacuumed once it holds at least this many dead rows… */
export const MIN_DEAD_ROWS = 5_000;
/** …and dead rows are at least this share of its live ones (autovacuum's default is 0.2). */
export const DEAD_SHARE = 0.1;

/** A table of the namespace and what PostgreSQL's statistics say of its dead rows. */
export interface TableDeadRows {
  readonly table: string;
  readonly live: number;
  readonly dead: number;
}

/** The tables whose dead rows warrant a vacuum now, most dead first. */
export function tablesToVacuum(tables: readonly TableDeadRows[]): string[] {
  return tables
    .filter(({ live, dead }) => dead >= MIN_DEAD_ROWS && dead >= DEAD_SHARE * live)
    .sort((a, b) => b.dead - a.dead)
    .map(({ table }) => table);
}

/**
 * Vacuums the namespace's tables that churn (every request is a row inserted, updated a few
 * times and deleted, with its history and outbox rows) once their dead rows pile up, every
 * `WM_VACUUM_INTERVAL_MS`. PostgreSQL's autovacuum does this when it is on and keeps up; where
 * it is off or lags (its default wakes every minute and waits for 20% of a table to be dead),
 * dead rows stay in every index the claim and answer statements walk, and the database's cost
 * per request doubled in the bench (docs/benchmarks-analysis.md). A table autovacuum already
 * cleaned is under the threshold, so nothing is done twice.
 *
 * Safe with replicas and behind a transaction pooler: `VACUUM (SKIP_LOCKED)` is one autocommit
 * statement that skips a table another replica (or autovacuum) is vacuuming. A role that does
 * not own the tables gets a warning from PostgreSQL, not an error: the upkeep then does nothing.
 */
@Injectable()
export class TableUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TableUpkeep');
  private readonly deadRowsStatement: Statement;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly database: DatabaseService,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    this.deadRowsStatement = database.statement(
      'upkeep-dead-rows',
      `SELECT relname AS table, n_live_tup::float8 AS live, n_dead_tup::float8 AS dead
       FROM pg_stat_user_tables WHERE schemaname = $1`,
    );
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Vacuums the tables that need it now; resolves with their names (tests, diagnostics). */
  async vacuumDue(): Promise<string[]> {
    const tables = tablesToVacuum(
      await this.database.query<TableDeadRows>(this.deadRowsStatement, [this.database.schema]),
    );
    for (const table of tables) {
      if (this.stopped) break;
      // The name comes from the catalogue of this schema; quoted like every table name here.
      await this.database.queryText(
        `VACUUM (SKIP_LOCKED) ${this.database.table(`"${table.replaceAll('"', '""')}"`)}`,
        [],
      );
    }
    return tables;
  }

  private schedule(): void {
    const every = this.environment.vacuumIntervalMs;
    if (every <= 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.vacuumDue()
        .then((tables) => {
          if (tables.length > 0) this.logger.debug(`vacuumed ${tables.join(', ')}`);
        })
        .catch((error: unknown) => {
          this.logger.warn(`vacuum skipped: ${(error as Error).message}`);
        })
        .finally(() => this.schedule());
    }, every);
    this.timer.unref();
  }
}
