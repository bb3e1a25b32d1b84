import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  ParseEnumPipe,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { rethrowAsApiError } from '../api/domain-errors';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { notFound } from '../http/api-error';
import { DispatchControls, type PauseState } from '../requests/dispatch/dispatch-controls.service';
import { PublicRoute } from '../security/access.decorator';
import { type WorkerTypeViewDto } from '../workers/dto/worker-type-view.dto';
import { InstanceControl, InstanceNotFoundError } from '../workers/instance-control.service';
import { WorkerViews } from '../workers/worker-views.service';
import { AuditLog } from './audit-log.service';
import { DashboardAccessGuard, type DashboardRequest } from './dashboard-access.guard';
import { DatabaseClock } from './database-clock';

/** An instance as the workers page shows it: `stale` once silent past the heartbeat expiry. */
export type InstanceStatus = 'ready' | 'draining' | 'stale';

/** A worker type with its pause state and its instances' displayed status. */
export interface DashboardWorkerType extends WorkerTypeViewDto {
  readonly pause: PauseState | null;
  readonly instanceStatus: Record<string, { status: InstanceStatus; heartbeatAgeMs: number }>;
}

/**
 * The workers page: the REST API's `WorkerViews`, pause and resume (`DispatchControls`), drain
 * and resume of one instance (`InstanceControl`), each action audited.
 */
@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/workers')
export class DashboardWorkersController {
  constructor(
    private readonly views: WorkerViews,
    private readonly controls: DispatchControls,
    private readonly instances: InstanceControl,
    private readonly audit: AuditLog,
    private readonly clock: DatabaseClock,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  @Get()
  async list(): Promise<{ types: DashboardWorkerType[]; staleAfterMs: number }> {
    const now = await this.clock.now();
    const [types, pauses] = await Promise.all([
      this.views.list('all', now),
      this.controls.states(),
    ]);
    const staleAfterMs = this.environment.heartbeatExpiryMs;
    return {
      staleAfterMs,
      types: types.map((type) => ({
        ...type,
        pause: pauses.find((pause) => pause.workerType === type.type) ?? null,
        instanceStatus: Object.fromEntries(
          type.instances.map((instance) => {
            const heartbeatAgeMs = Math.max(0, now - Date.parse(instance.lastSeenAt));
            // Silent for longer than the expiry (itself several heartbeats): a late heartbeat
            // within it keeps the instance as it was, so the status does not flicker. A ready
            // instance is judged as the dispatcher judges it (`live`, by the database's clock).
            const silent =
              instance.status === 'draining' ? heartbeatAgeMs > staleAfterMs : !instance.live;
            const status: InstanceStatus = silent
              ? 'stale'
              : instance.status === 'draining'
                ? 'draining'
                : 'ready';
            return [instance.id, { status, heartbeatAgeMs }];
          }),
        ),
      })),
    };
  }

  @Post(':type/:order')
  @HttpCode(HttpStatus.OK)
  dispatch(
    @Param('type') type: string,
    @Param('order', new ParseEnumPipe(['pause', 'resume'])) order: 'pause' | 'resume',
    @Req() request: DashboardRequest,
  ): Promise<PauseState> {
    const actor = request.dashboardPrincipal?.name ?? 'anonymous';
    return this.audit
      .run({ actor, action: order, target: { workerType: type } }, () =>
        order === 'pause'
          ? this.controls.pause(type, `paused by ${actor} from the dashboard`, actor)
          : this.controls.resume(type, actor),
      )
      .catch(rethrowAsApiError);
  }

  @Post(':type/instances/:id/:order')
  @HttpCode(HttpStatus.OK)
  async instance(
    @Param('type') type: string,
    @Param('id') id: string,
    @Param('order', new ParseEnumPipe(['drain', 'resume'])) order: 'drain' | 'resume',
    @Req() request: DashboardRequest,
  ): Promise<{ type: string; id: string; order: string }> {
    const actor = request.dashboardPrincipal?.name ?? 'anonymous';
    try {
      await this.audit.run(
        { actor, action: `${order}-instance`, target: { workerType: type, instance: id } },
        () =>
          this.instances.send(type, id, order, `${order} ordered by ${actor} from the dashboard`),
      );
    } catch (error) {
      if (error instanceof InstanceNotFoundError)
        throw notFound(`instance "${id}" of worker type "${type}"`);
      throw error;
    }
    return { type, id, order };
  }
}
