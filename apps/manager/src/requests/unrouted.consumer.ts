import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseJob, type Names } from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { OutcomesService } from './outcomes.service';
import { type DispatchKey } from './store/dispatch.repository';
import { RequestCounters } from './request-counters';

/**
 * Consumes `<ns>.manager.unrouted`: jobs no worker queue was bound for (the queue was deleted).
 * Their requests go back to NO_WORKER_AVAILABLE, if the job is still the current attempt.
 */
@Injectable()
export class UnroutedConsumer {
  private readonly logger = new Logger('Unrouted');
  readonly consumer: BatchConsumer;

  constructor(
    amqp: AmqpService,
    outcomes: OutcomesService,
    counters: RequestCounters,
    @Inject(NAMES) names: Names,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.consumer = new BatchConsumer(amqp.connection, {
      queue: names.queues.managerUnrouted,
      prefetch: Math.min(environment.prefetch, 200),
      batchSize: Math.min(environment.batchSize, 100),
      windowMs: environment.batchWindowMs,
      handle: async (messages) => {
        const keys: DispatchKey[] = [];
        for (const message of messages) {
          const job = parseJob(message);
          if (job.ok) keys.push({ id: job.value.requestId, attempt: job.value.attempt });
          else
            this.logger.warn(`unroutable message that is not a job, dropped: ${job.error.message}`);
        }
        counters.unroutable += keys.length;
        const count = await outcomes.applyUnroutable(keys);
        if (count > 0) this.logger.warn(`${count} unroutable job(s) returned to waiting`);
      },
    });
  }
}
