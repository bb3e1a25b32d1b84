import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_KEYS, ApiKeyGuard } from './api-key.guard';
import { type ApiKey } from './api-keys';

/** Installs the API-key guard on every route. */
@Module({})
export class SecurityModule {
  static forKeys(keys: readonly ApiKey[]): DynamicModule {
    return {
      module: SecurityModule,
      global: true,
      providers: [
        { provide: API_KEYS, useValue: keys },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [API_KEYS],
    };
  }
}
