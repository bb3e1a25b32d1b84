import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { createDataSource, migrateOverDirectConnection } from './create-data-source';
import { DatabaseService } from './database.service';
import { DataSourceCloser } from './data-source-closer';
import { TableUpkeep } from './table-upkeep.service';

/** The TypeORM DataSource (migrated before anything else starts) and raw SQL access. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [MANAGER_ENVIRONMENT],
      useFactory: async (environment: ManagerEnvironment): Promise<DataSource> => {
        const dataSource = createDataSource({
          databaseUrl: environment.databaseUrl,
          schema: environment.namespace,
          poolSize: environment.databasePoolSize,
        });
        await dataSource.initialize();
        try {
          await migrateOverDirectConnection(environment, dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    },
    DatabaseService,
    DataSourceCloser,
    TableUpkeep,
  ],
  exports: [DataSource, DatabaseService],
})
export class DatabaseModule {}
