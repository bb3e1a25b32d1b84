import { type ConfirmPublisher } from '@org/amqp-kit';
import { type OutgoingMessage } from '@org/protocol';
import { type Logger } from '../logger';

/**
 * Publishes `heartbeat.<type>` every interval, and at once on a status change. A periodic beat is
 * skipped while the previous one is unconfirmed, so beats do not pile up while the broker is away.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly message: () => OutgoingMessage,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.beat(false), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  beat(statusChanged: boolean): void {
    if (this.pending && !statusChanged) return;
    this.pending = true;
    this.publisher
      .publish(this.message())
      .catch((cause: unknown) => this.logger.warn('heartbeat not published', { error: cause }))
      .finally(() => {
        this.pending = false;
      });
  }
}
