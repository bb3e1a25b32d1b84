import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkerTypeViewDto } from './dto/worker-type-view.dto';
import { WorkerViews } from './worker-views.service';

@ApiTags('workers')
@Controller('api/v1/workers')
export class WorkersController {
  constructor(private readonly views: WorkerViews) {}

  @Get()
  @ApiOperation({
    summary:
      'Worker types with their live instances, liveness, content types, waiting work and stats',
  })
  @ApiOkResponse({ type: [WorkerTypeViewDto] })
  list(): Promise<WorkerTypeViewDto[]> {
    return this.views.list();
  }
}
