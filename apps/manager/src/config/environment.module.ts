import { type DynamicModule, Global, Module } from '@nestjs/common';
import { namesFor } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from './environment.tokens';
import { type ManagerEnvironment } from './manager-environment';

/** Makes the validated environment and the namespace's names injectable everywhere. */
@Global()
@Module({})
export class EnvironmentModule {
  static forRoot(environment: ManagerEnvironment): DynamicModule {
    return {
      module: EnvironmentModule,
      providers: [
        { provide: MANAGER_ENVIRONMENT, useValue: environment },
        { provide: NAMES, useValue: namesFor(environment.namespace) },
      ],
      exports: [MANAGER_ENVIRONMENT, NAMES],
    };
  }
}
