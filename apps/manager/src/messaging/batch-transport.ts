import { Logger } from '@nestjs/common';
import {
  BaseRpcContext,
  type CustomTransportStrategy,
  type MessageHandler,
  Server,
} from '@nestjs/microservices';
import { type AmqpConnectionManager } from 'amqp-connection-manager';
import { type ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { BatchConsumer, type BatchConsumerOptions } from './batch-consumer';

/** The manager's queues a handler may consume, by their key in `Names.queues`. */
export type ManagerQueueKey =
  'managerRequests' | 'managerResponses' | 'managerDead' | 'managerUnrouted';

/**
 * What a handler declares with `@EventPattern(queueKey, options)`: bounds on the replica's
 * batching settings (each the smaller of the two applies) and its place in the start order.
 */
export interface BatchHandlerOptions {
  /** @default the replica's `WM_PREFETCH` */
  readonly maxPrefetch?: number;
  /** @default the replica's `WM_BATCH_SIZE` */
  readonly maxBatchSize?: number;
  /** Batches processed at once. @default 1 (queue order kept) */
  readonly maxInFlight?: number;
  /** Order in which consumers start (lower first); they stop in reverse. @default 0 */
  readonly startOrder?: number;
}

/** The context a batch handler receives as its second argument (`@Ctx()`). */
export class BatchContext extends BaseRpcContext<[queue: string]> {
  get queue(): string {
    return this.args[0];
  }
}

/**
 * A Nest custom transport strategy that hosts the manager's consumers: each handler declared
 * with `@EventPattern(<queue name>, options)` in a controller gets a {@link BatchConsumer} on
 * that queue, receives one batch of messages (`@Payload() batch: ConsumeMessage[]`) per call,
 * and the batch is acknowledged only when the handler's promise resolves. A rejection keeps the
 * consumer's semantics (transient errors retried, other ones split down to the message at
 * fault), so handlers rethrow instead of letting Nest's default RPC filter swallow the error.
 *
 * `listen` starts the consumers by `startOrder`; `close` stops them in reverse, letting each
 * finish its batches in flight. Both are idempotent.
 */
export class BatchTransport extends Server implements CustomTransportStrategy {
  private readonly transportLogger = new Logger('BatchTransport');
  private readonly consumers: Array<{ order: number; consumer: BatchConsumer }> = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly queueName: (key: ManagerQueueKey) => string,
    private readonly defaults: Omit<BatchConsumerOptions, 'queue' | 'handle' | 'maxInFlight'>,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const [key, handler] of this.getHandlers()) {
        const extras = (handler.extras ?? {}) as BatchHandlerOptions;
        const queue = this.queueName(key as ManagerQueueKey);
        this.consumers.push({
          order: extras.startOrder ?? 0,
          consumer: new BatchConsumer(this.connection, {
            ...this.defaults,
            prefetch: Math.min(this.defaults.prefetch, extras.maxPrefetch ?? Infinity),
            batchSize: Math.min(this.defaults.batchSize, extras.maxBatchSize ?? Infinity),
            maxInFlight: extras.maxInFlight ?? 1,
            queue,
            handle: (messages) => this.dispatch(queue, handler, messages),
          }),
        });
      }
      this.consumers.sort((a, b) => a.order - b.order);
      for (const { consumer } of this.consumers) await consumer.start();
      this.transportLogger.log(
        `consuming ${[...this.getHandlers().keys()].map((key) => this.queueName(key as ManagerQueueKey)).join(', ')}`,
      );
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops the consumers, last started first, each finishing its batches in flight. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { consumer } of [...this.consumers].reverse()) await consumer.stop();
    })();
    return this.closing;
  }

  on(): never {
    throw new Error('BatchTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  private async dispatch(
    queue: string,
    handler: MessageHandler,
    messages: ConsumeMessage[],
  ): Promise<void> {
    const result: unknown = await handler(messages, new BatchContext([queue]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
}
