import { Controller, Sse, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Observable } from 'rxjs';
import { PublicRoute } from '../security/access.decorator';
import { type ChangeEvent, ChangeSignals } from './change-signals.service';
import { DashboardAccessGuard } from './dashboard-access.guard';

/** The pages' live updates: `change` events as server-sent events (the page polls without them). */
@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/events')
export class DashboardEventsController {
  constructor(private readonly signals: ChangeSignals) {}

  @Sse()
  events(): Observable<ChangeEvent> {
    return this.signals.stream();
  }
}
