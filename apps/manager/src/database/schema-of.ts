import { type QueryRunner } from 'typeorm';

/** The schema a migration runs in: the DataSource's (`WM_NAMESPACE`), never a hard-coded one. */
export function schemaOf(queryRunner: QueryRunner): string {
  const options = queryRunner.connection.options as { schema?: string };
  if (!options.schema)
    throw new Error('the manager DataSource must name its schema (WM_NAMESPACE)');
  return options.schema;
}
