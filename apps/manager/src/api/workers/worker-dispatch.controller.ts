import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_MESSAGE_LENGTH } from '@org/protocol';
import { ApiErrorBody } from '../../http/api-error';
import { currentRequestContext } from '../../logging/request-context';
import {
  DispatchControls,
  type PauseState,
} from '../../requests/dispatch/dispatch-controls.service';
import {
  DispatchStates,
  type TypeDispatchState,
} from '../../requests/dispatch/dispatch-states.service';
import { rethrowAsApiError } from '../domain-errors';
import { notFound } from '../../http/api-error';

export class PauseBodyDto {
  @ApiPropertyOptional({ description: 'Why, shown to operators on waiting requests.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  reason?: string;
}

export class PauseStateDto {
  @ApiProperty() workerType!: string;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'API key name that paused it.' })
  by!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) since!: string | null;
}

export class DispatchStateDto {
  @ApiProperty() type!: string;
  @ApiProperty() liveInstances!: number;
  @ApiProperty({ description: 'Jobs that may be outstanding at once (0 without a live instance).' })
  window!: number;
  @ApiProperty({ description: 'Jobs published or about to be, not yet answered.' })
  outstanding!: number;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ nullable: true, type: String }) pauseReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      "The configured cap of the window; null (the default): twice the live ready instances' concurrency.",
  })
  maxInFlight!: number | null;
  @ApiProperty({
    nullable: true,
    type: Object,
    description:
      'The configured token bucket { perSecond, burst } (burst defaults to ceil(perSecond)); null (the default): no limit.',
  })
  rateLimit!: {
    perSecond: number;
    burst: number;
  } | null;
  @ApiProperty({
    enum: ['none', 'tenant', 'owner'],
    description: 'Round robin between tenants or owners at equal priority. @default none',
  })
  fairness!: string;
  @ApiProperty() noWorkerAvailable!: number;
  @ApiProperty() queued!: number;
  @ApiProperty() scheduled!: number;
  @ApiProperty({ description: 'NO_WORKER_AVAILABLE + QUEUED: work that could run now.' })
  waitingRequests!: number;
  @ApiProperty() oldestWaitingSeconds!: number;
  @ApiProperty({
    description: 'Instances whose windows would hold the outstanding and waiting work.',
  })
  desiredInstances!: number;
}

/** Dispatch of a worker type: its window and backlog, pause and resume (design 5.1). */
@ApiTags('workers')
@Controller('api/v1/workers')
export class WorkerDispatchController {
  constructor(
    private readonly controls: DispatchControls,
    private readonly states: DispatchStates,
  ) {}

  @Get(':type/dispatch')
  @ApiOperation({ summary: "A worker type's dispatch window, backlog by waiting state, pause" })
  @ApiOkResponse({ type: DispatchStateDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async dispatch(@Param('type') type: string): Promise<TypeDispatchState> {
    const state = await this.states.of(type);
    if (!state) throw notFound(`worker type "${type}"`);
    return state;
  }

  @Post(':type/pause')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pause the dispatch of a worker type',
    description:
      'Persisted and obeyed by every replica: no new job goes out, jobs already out finish, waiting requests stay QUEUED with the reason.',
  })
  @ApiBody({ type: PauseBodyDto, required: false })
  @ApiOkResponse({ type: PauseStateDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  pause(@Param('type') type: string, @Body() body: PauseBodyDto = {}): Promise<PauseState> {
    return this.controls
      .pause(type, body?.reason ?? null, currentRequestContext()?.principal ?? null)
      .catch(rethrowAsApiError);
  }

  @Post(':type/resume')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume the dispatch of a paused worker type' })
  @ApiOkResponse({ type: PauseStateDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  resume(@Param('type') type: string): Promise<PauseState> {
    return this.controls
      .resume(type, currentRequestContext()?.principal ?? null)
      .catch(rethrowAsApiError);
  }
}
