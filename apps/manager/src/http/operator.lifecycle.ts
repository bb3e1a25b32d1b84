import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthService } from '../health/health.service';
import { HttpDrain } from './http-drain';
import { HTTP_OPTIONS } from './operator.tokens';
import { type HttpOptions } from './http-options';

/**
 * First step of a graceful stop on the HTTP side: readiness turns false, new calls get 503 and
 * the calls in flight (a batch submission, a bulk retry page) finish before the request flow and
 * the connections are closed. `startManager`'s `close()` calls {@link stop} before the Nest
 * shutdown hooks run: Nest destroys the deeper modules (the request flow) first, which would
 * leave the replica reporting ready while its consumers stop.
 */
@Injectable()
export class OperatorLifecycle implements OnModuleDestroy {
  constructor(
    private readonly health: HealthService,
    private readonly drain: HttpDrain,
    @Inject(HTTP_OPTIONS) private readonly options: HttpOptions,
  ) {}

  private stopping: Promise<void> | undefined;

  /** Readiness false, new calls refused, calls in flight finished (idempotent). */
  stop(): Promise<void> {
    this.health.markStopping();
    return (this.stopping ??= this.drain.stop(this.options.shutdownTimeoutMs));
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
