import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseEnumPipe,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RequestFilterDto } from '../api/requests/dto/request-filter.dto';
import { rethrowAsApiError } from '../api/domain-errors';
import { ApiException, notFound } from '../http/api-error';
import { type BulkResult } from '../requests/request-bulk.service';
import { PublicRoute } from '../security/access.decorator';
import { DashboardAccessGuard, type DashboardRequest } from './dashboard-access.guard';
import { DashboardActions, REQUEST_ACTIONS, type RequestAction } from './dashboard-actions.service';
import { ActionBodyDto } from './dashboard-query.dto';

const actionPipe = new ParseEnumPipe(REQUEST_ACTIONS);

/** Retry, cancel and delete: a preview count, the action itself, and its progress. */
@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/actions')
export class DashboardActionsController {
  constructor(private readonly actions: DashboardActions) {}

  /** How many requests matching the filter the action would consider. */
  @Get(':action/preview')
  async preview(
    @Param('action', actionPipe) action: RequestAction,
    @Query() filter: RequestFilterDto,
  ): Promise<{ count: number }> {
    return { count: await this.actions.preview(action, filter).catch(rethrowAsApiError) };
  }

  @Get('progress/:id')
  progress(@Param('id') id: string): BulkResult & { done: boolean } {
    const progress = this.actions.progressOf(id);
    if (!progress) throw notFound(`action "${id}"`);
    return progress;
  }

  /** The action on the body's ids, or on every request matching the query's filters. */
  @Post(':action')
  @HttpCode(HttpStatus.OK)
  run(
    @Param('action', actionPipe) action: RequestAction,
    @Query() filter: RequestFilterDto,
    @Body() body: ActionBodyDto,
    @Req() request: DashboardRequest,
    @Headers('x-action-id') progressId: string | undefined,
  ): Promise<BulkResult> {
    const actor = request.dashboardPrincipal?.name ?? 'anonymous';
    if (body.scope === 'ids') {
      if (!body.ids || body.ids.length === 0)
        throw new ApiException(
          HttpStatus.BAD_REQUEST,
          'validation_failed',
          'select at least one request',
        );
      return this.actions.onIds(action, body.ids, actor).catch(rethrowAsApiError);
    }
    return this.actions
      .onFilter(action, filter, actor, progressId?.slice(0, 64))
      .catch(rethrowAsApiError);
  }
}
