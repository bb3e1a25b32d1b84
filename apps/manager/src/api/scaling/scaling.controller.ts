import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorBody, notFound } from '../../http/api-error';
import { DispatchStates } from '../../requests/dispatch/dispatch-states.service';
import { ScalingSignalDto } from './scaling-signal.dto';

/**
 * The scale-from-zero signal for autoscalers (KEDA `metrics-api` trigger, `valueLocation:
 * waitingRequests`). Read from the database, so every replica answers the same.
 */
@ApiTags('scaling')
@Controller('api/v1/scaling')
export class ScalingController {
  constructor(private readonly states: DispatchStates) {}

  @Get()
  @ApiOperation({ summary: 'Every worker type: waiting requests, oldest wait, desired instances' })
  @ApiOkResponse({ type: [ScalingSignalDto] })
  async all(): Promise<ScalingSignalDto[]> {
    return (await this.states.all()).map(signalOf);
  }

  @Get(':type')
  @ApiOperation({ summary: 'One worker type: waiting requests, oldest wait, desired instances' })
  @ApiOkResponse({ type: ScalingSignalDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async one(@Param('type') type: string): Promise<ScalingSignalDto> {
    const state = await this.states.of(type);
    if (!state) throw notFound(`worker type "${type}"`);
    return signalOf(state);
  }
}

function signalOf(state: {
  type: string;
  waitingRequests: number;
  oldestWaitingSeconds: number;
  desiredInstances: number;
}): ScalingSignalDto {
  return {
    type: state.type,
    waitingRequests: state.waitingRequests,
    oldestWaitingSeconds: Math.round(state.oldestWaitingSeconds * 1000) / 1000,
    desiredInstances: state.desiredInstances,
  };
}
