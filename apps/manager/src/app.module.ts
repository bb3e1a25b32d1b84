import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { EnvironmentModule } from './config/environment.module';
import { type ManagerEnvironment } from './config/manager-environment';
import { DatabaseModule } from './database/database.module';
import { MessagingModule } from './messaging/messaging.module';
import { RequestsModule } from './requests/requests.module';
import { WorkersModule } from './workers/workers.module';
import { WorkflowsModule } from './workflows/workflows.module';

/**
 * The manager application: one module per feature. The admin side (REST, health, metrics,
 * security, logging) plugs in here as further imports.
 */
@Module({})
export class AppModule {
  static forRoot(
    environment: ManagerEnvironment,
    extraImports: DynamicModule['imports'] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EnvironmentModule.forRoot(environment),
        DatabaseModule,
        ConfigModule,
        MessagingModule,
        WorkersModule,
        WorkflowsModule,
        RequestsModule,
        ...extraImports,
      ],
    };
  }
}
