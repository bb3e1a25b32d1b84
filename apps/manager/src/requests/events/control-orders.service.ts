import { Inject, Injectable, Logger } from '@nestjs/common';
import { buildControlOrder, type Names } from '@org/protocol';
import { NAMES } from '../../config/environment.tokens';
import { AmqpService } from '../../messaging/amqp.service';
import { type CancelOrder } from '../engine/effects';

/**
 * Sends cancel orders for jobs that must not run any more (cancelled, timed out). Each goes to
 * every instance of the job's type with the attempt (design 5.1): the instance running it
 * aborts it, and the others remember the pair, so a copy still waiting in the queue is
 * acknowledged without running. Best effort: a lost order costs a wasted run whose answer is
 * dropped as late, never a wrong state.
 */
@Injectable()
export class ControlOrders {
  private readonly logger = new Logger('ControlOrders');

  constructor(
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  async cancel(orders: readonly CancelOrder[]): Promise<void> {
    await Promise.all(
      orders.map((order) =>
        this.amqp
          .publish(
            buildControlOrder(
              this.names,
              { target: 'type', workerType: order.workerType },
              {
                order: 'cancel',
                requestId: order.requestId,
                attempt: order.attempt,
                reason: order.reason,
              },
            ),
          )
          .catch((error: unknown) =>
            this.logger.warn(
              `cancel order for ${order.requestId} not sent: ${(error as Error).message}`,
            ),
          ),
      ),
    );
  }
}
