import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type Logger } from 'pino';
import { ConfigApiModule } from '../config/config-api.module';
import { DashboardModule } from '../dashboard/dashboard.module';
import { HealthModule } from '../health/health.module';
import { MetricsModule } from '../metrics/metrics.module';
import { EventsApiModule } from '../api/events/events-api.module';
import { RequestsApiModule } from '../api/requests/requests-api.module';
import { WebhooksApiModule } from '../api/webhooks/webhooks-api.module';
import { DispatchApiModule } from '../api/scaling/scaling-api.module';
import { SecurityModule } from '../security/security.module';
import { WorkersApiModule } from '../workers/workers-api.module';
import { HttpDrain } from './http-drain';
import { type HttpOptions } from './http-options';
import { OperatorLifecycle } from './operator.lifecycle';
import { HTTP_OPTIONS, LOGGER } from './operator.tokens';

/** The operator's side of the manager: REST API, health, metrics, security. */
@Global()
@Module({})
export class OperatorModule {
  static forRoot(options: HttpOptions, logger: Logger, drain: HttpDrain): DynamicModule {
    return {
      module: OperatorModule,
      imports: [
        SecurityModule.forKeys(options.apiKeys),
        HealthModule,
        MetricsModule,
        RequestsApiModule,
        EventsApiModule,
        WebhooksApiModule,
        DispatchApiModule,
        WorkersApiModule,
        ConfigApiModule,
        DashboardModule,
      ],
      providers: [
        { provide: HTTP_OPTIONS, useValue: options },
        { provide: LOGGER, useValue: logger },
        { provide: HttpDrain, useValue: drain },
        OperatorLifecycle,
      ],
      exports: [HTTP_OPTIONS, LOGGER, HttpDrain],
    };
  }
}
