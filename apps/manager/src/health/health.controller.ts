import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type HttpResponse } from '../http/http-types';
import { PublicRoute } from '../security/access.decorator';
import { HealthService } from './health.service';
import { ReadinessReport } from './readiness';

/** Probes for the orchestrator; they answer without an API key (`security: []` in the document). */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP', security: [] })
  @ApiOkResponse({ description: 'The process serves HTTP.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: broker connected, database reachable, migrations applied',
    security: [],
  })
  @ApiOkResponse({
    type: ReadinessReport,
    description: 'Broker connected, database reachable, migrations applied.',
  })
  @ApiServiceUnavailableResponse({
    type: ReadinessReport,
    description: 'At least one check failed; `checks` says which.',
  })
  async ready(@Res() response: HttpResponse): Promise<void> {
    const report = await this.health.readiness();
    // Written by hand: NestJS would overwrite a status set on a passthrough response with 200.
    response.statusCode =
      report.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(report));
  }
}
