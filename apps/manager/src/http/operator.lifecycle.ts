import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthService } from '../health/health.service';
import { HttpDrain } from './http-drain';
import { HTTP_OPTIONS } from './operator.tokens';
import { type HttpOptions } from './http-options';

/**
 * First step of a graceful stop on the HTTP side: readiness turns false, new calls get 503 and
 * the calls in flight (a batch submission, a bulk retry page) finish before the request flow and
 * the connections are closed.
 */
@Injectable()
export class OperatorLifecycle implements OnModuleDestroy {
  constructor(
    private readonly health: HealthService,
    private readonly drain: HttpDrain,
    @Inject(HTTP_OPTIONS) private readonly options: HttpOptions,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.health.markStopping();
    await this.drain.stop(this.options.shutdownTimeoutMs);
  }
}
