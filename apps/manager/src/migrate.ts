import 'reflect-metadata';
import { loadEnvironment } from './config/manager-environment';
import { createDataSource, migrate } from './database/create-data-source';

/**
 * `pnpm --filter @org/manager migrate`: applies pending migrations to the namespace's schema and
 * exits. It connects to `DATABASE_DIRECT_URL` (default `DATABASE_URL`): the migration lock is a
 * session-level advisory lock, which must not go through a transaction pooler.
 */
async function main(): Promise<void> {
  const environment = loadEnvironment();
  const dataSource = createDataSource({
    databaseUrl: environment.databaseDirectUrl,
    schema: environment.namespace,
    poolSize: 2,
  });
  await dataSource.initialize();
  try {
    const applied = await migrate(dataSource, environment.namespace);
    process.stdout.write(
      applied.length > 0
        ? `applied ${applied.join(', ')} to schema ${environment.namespace}\n`
        : `schema ${environment.namespace} is up to date\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
