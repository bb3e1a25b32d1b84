import { DataSource } from 'typeorm';
import { InitialSchema1750000000000 } from './migrations/1750000000000-initial-schema';
import { RequestHistory1750000100000 } from './migrations/1750000100000-request-history';
import { ConfigSource1750000200000 } from './migrations/1750000200000-config-source';
import { EngineV21760000000000 } from './migrations/1760000000000-engine-v2';
import { WorkerInstances1760000400000 } from './migrations/1760000400000-worker-instances';
import { Webhooks1771000000000 } from './migrations/1771000000000-webhooks';
import { GraphSteps1772000000000 } from './migrations/1772000000000-graph-steps';
import { DashboardAudit1775000000000 } from './migrations/1775000000000-dashboard-audit';
import { HistoryPerStatement1790000000000 } from './migrations/1790000000000-history-per-statement';
import { GraphCascadePerStatement1800000000000 } from './migrations/1800000000000-graph-cascade-per-statement';

/** Connection settings of the manager's DataSource. */
export interface DataSourceSettings {
  readonly databaseUrl: string;
  /** The PostgreSQL schema (`WM_NAMESPACE`). */
  readonly schema: string;
  /** @default 10 */
  readonly poolSize?: number;
}

/** The manager's DataSource: schema per namespace, migrations only, never `synchronize`. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.databaseUrl,
    schema: settings.schema,
    // No entities: every statement is the repositories' own SQL (requests/store).
    entities: [],
    migrations: [
      InitialSchema1750000000000,
      RequestHistory1750000100000,
      ConfigSource1750000200000,
      EngineV21760000000000,
      WorkerInstances1760000400000,
      Webhooks1771000000000,
      GraphSteps1772000000000,
      DashboardAudit1775000000000,
      HistoryPerStatement1790000000000,
      GraphCascadePerStatement1800000000000,
    ],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: settings.poolSize ?? 10,
    extra: { application_name: `wm-manager:${settings.schema}` },
  });
}

/**
 * Creates the schema if needed and applies pending migrations. An advisory lock keyed on the
 * schema makes replicas that start together take turns instead of racing.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`wm-migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`wm-migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/** Where migrations connect: `DATABASE_DIRECT_URL` (which defaults to `DATABASE_URL`). */
export interface MigrationTarget {
  readonly databaseUrl: string;
  readonly databaseDirectUrl: string;
  readonly namespace: string;
}

/**
 * Applies pending migrations over the direct connection: their advisory lock belongs to a
 * session, which a transaction pooler would hand to another client between two statements (or
 * leave held on a server connection forever). When the direct URL is `DATABASE_URL` itself,
 * `pooled` (already initialized) does the work and no second pool is opened.
 */
export async function migrateOverDirectConnection(
  target: MigrationTarget,
  pooled: DataSource,
): Promise<string[]> {
  if (target.databaseDirectUrl === target.databaseUrl) return migrate(pooled, target.namespace);
  const direct = createDataSource({
    databaseUrl: target.databaseDirectUrl,
    schema: target.namespace,
    poolSize: 2,
  });
  await direct.initialize();
  try {
    return await migrate(direct, target.namespace);
  } finally {
    await direct.destroy();
  }
}
