import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConfigService } from '../config/config.service';
import { RequestReads, type WaitingByType } from '../requests/request-reads.service';
import { type RequestCounts, type RequestGroupCount } from '../requests/request-views';
import { PublicRoute } from '../security/access.decorator';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { type MinuteStats } from './minute-stats.repository';
import { MinuteStatsService } from './minute-stats.service';

/** Everything the overview page shows, in one answer. */
export interface Overview {
  readonly counts: RequestCounts;
  readonly groups: RequestGroupCount[];
  readonly waiting: WaitingByType[];
  readonly minutes: MinuteStats[];
  /** The routing configuration: content type → worker type or workflow. */
  readonly routes: Array<{ contentType: string; target: string; kind: 'worker' | 'workflow' }>;
  readonly at: string;
}

@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/overview')
export class DashboardOverviewController {
  constructor(
    private readonly reads: RequestReads,
    private readonly config: ConfigService,
    private readonly minuteStats: MinuteStatsService,
  ) {}

  @Get()
  async overview(): Promise<Overview> {
    const [counts, groups, waiting, minutes] = await Promise.all([
      this.reads.counts({}),
      this.reads.groupCounts(),
      this.reads.waiting(this.config.workerTypes()),
      this.minuteStats.lastHour(),
    ]);
    const config = this.config.current();
    const routes = [
      ...config.workers.flatMap((worker) =>
        worker.contentTypes.map((contentType) => ({
          contentType,
          target: worker.type,
          kind: 'worker' as const,
        })),
      ),
      ...config.workflows.flatMap((workflow) =>
        (workflow.contentTypes ?? [workflow.type]).map((contentType) => ({
          contentType,
          target: workflow.type,
          kind: 'workflow' as const,
        })),
      ),
    ].sort((a, b) => a.contentType.localeCompare(b.contentType));
    return { counts, groups, waiting, minutes, routes, at: new Date().toISOString() };
  }
}
