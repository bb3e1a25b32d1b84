import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseEnumPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorBody, notFound } from '../http/api-error';
import { ControlOrderSentDto, WorkerTypeViewDto } from './dto/worker-type-view.dto';
import {
  InstanceControl,
  InstanceNotFoundError,
  type InstanceOrder,
} from './instance-control.service';
import { type InstancesShown, WorkerViews } from './worker-views.service';

@ApiTags('workers')
@Controller('api/v1/workers')
export class WorkersController {
  constructor(
    private readonly views: WorkerViews,
    private readonly control: InstanceControl,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Worker types with their registration, liveness, capacity, waiting work, instances and stats',
  })
  @ApiQuery({
    name: 'instances',
    required: false,
    enum: ['all', 'none'],
    description: 'all (default): every instance on record; none: type summaries only.',
  })
  @ApiOkResponse({ type: [WorkerTypeViewDto] })
  list(
    @Query('instances', new ParseEnumPipe(['all', 'none'], { optional: true }))
    instances?: InstancesShown,
  ): Promise<WorkerTypeViewDto[]> {
    return this.views.list(instances ?? 'all');
  }

  @Post(':type/instances/:id/drain')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Order one instance to take no new jobs',
    description:
      'Sends a drain control order; the instance finishes the jobs it holds and reports status draining ' +
      '(it no longer counts toward its type’s availability or capacity) until resumed or stopped.',
  })
  @ApiAcceptedResponse({ type: ControlOrderSentDto, description: 'The broker took the order.' })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such instance of this type.' })
  drain(@Param('type') type: string, @Param('id') id: string): Promise<ControlOrderSentDto> {
    return this.send(type, id, 'drain');
  }

  @Post(':type/instances/:id/resume')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Order a drained instance to take jobs again',
    description: 'Sends a resume control order; the instance reports status ready again.',
  })
  @ApiAcceptedResponse({ type: ControlOrderSentDto, description: 'The broker took the order.' })
  @ApiNotFoundResponse({ type: ApiErrorBody, description: 'No such instance of this type.' })
  resume(@Param('type') type: string, @Param('id') id: string): Promise<ControlOrderSentDto> {
    return this.send(type, id, 'resume');
  }

  private async send(type: string, id: string, order: InstanceOrder): Promise<ControlOrderSentDto> {
    try {
      await this.control.send(type, id, order, `${order} ordered through the REST API`);
    } catch (error) {
      if (error instanceof InstanceNotFoundError)
        throw notFound(`instance "${id}" of worker type "${type}"`);
      throw error;
    }
    return { type, id, order };
  }
}
