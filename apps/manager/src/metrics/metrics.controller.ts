import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type HttpResponse } from '../http/http-types';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint; needs a read key when keys are configured (Prometheus sends it as a bearer token). */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format 0.0.4)' })
  @ApiOkResponse({
    description: 'Metrics of this replica and gauges of the whole deployment.',
    content: {
      'text/plain': {
        schema: { type: 'string', example: 'wm_requests_received_total{outcome="accepted"} 42' },
      },
    },
  })
  async scrape(@Res() response: HttpResponse): Promise<void> {
    const body = await this.metrics.render();
    response.statusCode = 200;
    response.setHeader('Content-Type', this.metrics.contentType());
    response.setHeader('Cache-Control', 'no-store');
    response.end(body);
  }
}
