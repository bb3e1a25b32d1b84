import { Inject, Injectable } from '@nestjs/common';
import { buildControlOrder, type Names } from '@org/protocol';
import { NAMES } from '../config/environment.tokens';
import { AmqpService } from '../messaging/amqp.service';
import { InstanceRepository } from './instance.repository';

/** Thrown when an order names an instance that is not on record for that type. */
export class InstanceNotFoundError extends Error {
  override readonly name = 'InstanceNotFoundError';
  constructor(
    readonly type: string,
    readonly id: string,
  ) {
    super(`instance "${id}" of worker type "${type}" does not exist`);
  }
}

/** Orders one instance to stop taking jobs (`drain`) or to take them again (`resume`). */
export type InstanceOrder = 'drain' | 'resume';

/**
 * Sends drain and resume control orders to one worker instance. The instance (the SDK obeys
 * both) changes its status in its next heartbeat: `draining` takes it out of its type's
 * availability and capacity on every replica, `ready` puts it back.
 */
@Injectable()
export class InstanceControl {
  constructor(
    private readonly instances: InstanceRepository,
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  /** Resolves once the broker confirmed the order; rejects with {@link InstanceNotFoundError}. */
  async send(type: string, id: string, order: InstanceOrder, reason?: string): Promise<void> {
    if (!(await this.instances.find(type, id))) throw new InstanceNotFoundError(type, id);
    await this.amqp.publish(
      buildControlOrder(
        this.names,
        { target: 'instance', workerId: id },
        { order, ...(reason !== undefined ? { reason } : {}) },
      ),
    );
  }
}
