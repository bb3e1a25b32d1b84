import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel } from 'amqplib';
import { type Names, parseEvent } from '@org/protocol';
import { NAMES } from '../../config/environment.tokens';
import { HttpDrain } from '../../http/http-drain';
import { AmqpService } from '../../messaging/amqp.service';
import { type EventStreamFilter, matchesEventFilter } from './event-stream-filter';
import { eventView, type EventView } from './event-view';

/** Streams open at once on one replica: each holds a broker queue and a channel. */
export const MAX_EVENT_STREAMS = 64;

/** One open stream: what it asked for and where its events go. */
export interface EventSubscription {
  /** Resolves once the stream's queue is bound: from then on no event it matches is missed. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export class TooManyStreamsError extends Error {
  constructor() {
    super(`this replica already serves ${MAX_EVENT_STREAMS} event streams; try again later`);
  }
}

/**
 * Live requester events for REST clients (`wm watch`, `wm submit --wait`), read from
 * `<ns>.events` like any AMQP requester would: each stream binds its own exclusive, auto-deleted
 * queue with `#`, so it sees the events of every replica, and filters them here. Delivery is what
 * the exchange gives a late subscriber: informational events at most once, terminal events at
 * least once, nothing from before the stream was bound.
 */
@Injectable()
export class EventStreams {
  private readonly logger = new Logger('EventStreams');
  private readonly open = new Set<ChannelWrapper>();
  private readonly stopListeners = new Set<() => void>();

  constructor(
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
    drain: HttpDrain,
  ) {
    drain.onStopping(() => {
      for (const listener of [...this.stopListeners]) listener();
    });
  }

  /**
   * Subscribes `deliver` to the events matching `filter`. `onStop` is called when the replica
   * starts stopping (the stream should end then). Throws {@link TooManyStreamsError}.
   */
  subscribe(
    filter: EventStreamFilter,
    deliver: (event: EventView) => void,
    onStop: () => void,
  ): EventSubscription {
    if (this.open.size >= MAX_EVENT_STREAMS) throw new TooManyStreamsError();
    const exchange = this.names.exchanges.events;
    const wrapper = this.amqp.connection.createChannel({
      name: 'event-stream',
      setup: async (channel: Channel) => {
        const { queue } = await channel.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          durable: false,
        });
        await channel.bindQueue(queue, exchange, '#');
        await channel.consume(
          queue,
          (message) => {
            if (!message) return;
            const event = parseEvent(message);
            if (event.ok && matchesEventFilter(filter, event.value))
              deliver(eventView(event.value));
          },
          { noAck: true },
        );
      },
    });
    wrapper.on('error', (error: Error) =>
      this.logger.debug(`event stream channel: ${error.message}`),
    );
    this.open.add(wrapper);
    this.stopListeners.add(onStop);
    let closed: Promise<void> | undefined;
    return {
      ready: wrapper.waitForConnect(),
      close: () =>
        (closed ??= (async () => {
          this.open.delete(wrapper);
          this.stopListeners.delete(onStop);
          await wrapper.close().catch(() => undefined);
        })()),
    };
  }
}
