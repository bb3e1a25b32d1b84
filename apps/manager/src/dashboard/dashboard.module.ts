import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConfigModule } from '../config/config.module';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { MessagingModule } from '../messaging/messaging.module';
import { RequestsModule } from '../requests/requests.module';
import { API_KEYS } from '../security/api-key.guard';
import { type ApiKey } from '../security/api-keys';
import { InstanceControl } from '../workers/instance-control.service';
import { WorkerViews } from '../workers/worker-views.service';
import { WorkersModule } from '../workers/workers.module';
import { AuditController, DashboardAuditController } from './audit.controller';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLog } from './audit-log.service';
import { ChangeSignals } from './change-signals.service';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { DashboardActionsController } from './dashboard-actions.controller';
import { DashboardActions } from './dashboard-actions.service';
import { DashboardAssetsController } from './dashboard-assets.controller';
import { DashboardConfigController } from './dashboard-config.controller';
import { DashboardEventsController } from './dashboard-events.controller';
import { DashboardOverviewController } from './dashboard-overview.controller';
import { DashboardRequestsController } from './dashboard-requests.controller';
import { DashboardSessionController } from './dashboard-session.controller';
import { DashboardSessions } from './dashboard-session';
import { DashboardWorkersController } from './dashboard-workers.controller';
import { DatabaseClock } from './database-clock';
import { MinuteStatsRepository } from './minute-stats.repository';
import { MinuteStatsService } from './minute-stats.service';
import { RestAuditInterceptor } from './rest-audit.interceptor';

/**
 * The operator's dashboard at `/dashboard`: the page, its JSON and server-sent events, on the
 * REST API's services (requests reads and operations, worker views and controls), plus the audit
 * log of what operators did (through the dashboard or the REST API), at `GET /api/v1/audit`.
 */
@Module({
  imports: [RequestsModule, WorkersModule, ConfigModule, MessagingModule],
  controllers: [
    DashboardAssetsController,
    DashboardSessionController,
    DashboardOverviewController,
    DashboardRequestsController,
    DashboardActionsController,
    DashboardWorkersController,
    DashboardConfigController,
    DashboardEventsController,
    DashboardAuditController,
    AuditController,
  ],
  providers: [
    {
      provide: DashboardSessions,
      inject: [API_KEYS, MANAGER_ENVIRONMENT],
      useFactory: (keys: readonly ApiKey[], environment: ManagerEnvironment) =>
        new DashboardSessions(keys, environment.namespace),
    },
    DashboardAccessGuard,
    DatabaseClock,
    DashboardActions,
    AuditLogRepository,
    AuditLog,
    ChangeSignals,
    MinuteStatsRepository,
    MinuteStatsService,
    WorkerViews,
    InstanceControl,
    // The REST API's operator actions go to the same audit log.
    { provide: APP_INTERCEPTOR, useClass: RestAuditInterceptor },
  ],
})
export class DashboardModule {}
