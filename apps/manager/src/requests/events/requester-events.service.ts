import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  buildEvent,
  buildEventBatches,
  notifies,
  type EventInput,
  type Names,
  type OutgoingMessage,
} from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../../config/environment.tokens';
import { type ManagerEnvironment } from '../../config/manager-environment';
import { type Tx } from '../../database/database.service';
import { AmqpService } from '../../messaging/amqp.service';
import { RequestTraces } from '../../tracing/request-traces';
import { type PendingEvent } from '../engine/effects';
import { OutboxRepository, type StagedEvents } from '../store/outbox.repository';

const RELAY_BATCH = 200;

/**
 * Tells requesters what happened, on `<ns>.events` and on each request's replyTo queue, as much
 * as each asked for (`wm-notify`).
 *
 * - Terminal events (SUCCESS with the final output, ERROR, INVALID_CONTENT, CANCELLED) go
 *   through the outbox: staged in the transaction of the state change, published persistent
 *   after commit, deleted once confirmed; a replica that dies in between leaves them to any
 *   replica's relay. At least once.
 * - Informational events (GRANTED, DELAYED, SCHEDULED, RUNNING, PROGRESS) are published
 *   non-persistent without waiting for confirms (design 5.3): at most once. They go on the same
 *   channel as the terminal events and before them, so none arrives after its request's end.
 * - SKIPPED is never stored: the request message it answers is acknowledged only after the
 *   event is confirmed, so a crash redelivers the request and the SKIPPED is sent again.
 */
@Injectable()
export class RequesterEvents {
  private readonly logger = new Logger('Events');

  constructor(
    private readonly amqp: AmqpService,
    private readonly outbox: OutboxRepository,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
    private readonly traces: RequestTraces,
  ) {}

  /** Hands informational events to the channel now (in order); never waits, never throws. */
  inform(events: readonly PendingEvent[]): void {
    for (const send of this.send(events)) {
      send.catch((error: unknown) => {
        this.logger.debug(`informational event not sent: ${(error as Error).message}`);
      });
    }
  }

  /** Sends events and resolves when every one is confirmed; rejects if any could not be sent. */
  async publish(events: readonly PendingEvent[]): Promise<void> {
    const results = await Promise.allSettled(this.send(events));
    const failed = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} event(s) could not be sent: ${String((failed[0]?.reason as Error)?.message)}`,
      );
    }
  }

  /** Writes terminal events to the outbox inside the caller's transaction (those asked for). */
  async stage(tx: Tx, events: readonly PendingEvent[]): Promise<StagedEvents> {
    const wanted = events.filter((pending) => notifies(pending.notify, pending.event.state));
    return this.outbox.stage(tx, wanted, this.claimMs());
  }

  /** After commit: sends staged events and forgets them; on failure the relay sends them later. */
  async deliver(staged: StagedEvents): Promise<void> {
    if (staged.ids.length === 0) return;
    try {
      await this.publish(staged.events);
      await this.outbox.delete(staged.ids);
    } catch (error) {
      this.logger.warn(`outbox events left for the relay: ${(error as Error).message}`);
    }
  }

  /** Sends outbox rows whose claim expired (their replica died or failed); replica-safe. */
  async relay(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.outbox.claimExpired(
        this.claimMs(),
        RELAY_BATCH,
        Math.floor(this.environment.maxInflightBytes / 4),
      );
      if (rows.length === 0) return total;
      await this.publish(rows.map((row) => row.pending));
      await this.outbox.delete(rows.map((row) => row.id));
      total += rows.length;
      if (rows.length < RELAY_BATCH) return total;
    }
  }

  /** Events written but not yet confirmed, and the age of the oldest (metrics). */
  outboxLag(): Promise<{ pending: number; oldestMs: number }> {
    return this.outbox.lag();
  }

  /**
   * How long the replica that staged or claimed a row has to send it before any replica's relay
   * may: the dispatch lease, but never so short that a busy replica's own delivery is overtaken
   * (which would send the event twice).
   */
  private claimMs(): number {
    return Math.max(this.environment.dispatchLeaseMs, 5000);
  }

  /**
   * Every event asked for on `<ns>.events`, one message each (topic subscribers read single
   * events); to replyTo queues one message each, or event batches (design 5.2) for the requests
   * that carried `wm-accept-batch: true`, grouped per queue in order.
   */
  private send(events: readonly PendingEvent[]): Array<Promise<void>> {
    const sends: Array<Promise<void>> = [];
    const batched = new Map<string, Array<{ event: EventInput; message: OutgoingMessage }>>();
    for (const pending of events) {
      if (!notifies(pending.notify, pending.event.state)) continue;
      const event = this.traces.event(pending.event);
      const message = buildEvent(this.names, event);
      sends.push(this.amqp.publish(message));
      if (!pending.replyTo) continue;
      // An event near the frame limit goes alone, so that no item is too large for a frame.
      const large = (event.body?.length ?? 0) > this.environment.maxBatchBytes / 2;
      if (!pending.acceptBatch || large) {
        sends.push(this.amqp.sendToQueue(pending.replyTo, message));
        continue;
      }
      const group = batched.get(pending.replyTo);
      if (group) group.push({ event, message });
      else batched.set(pending.replyTo, [{ event, message }]);
    }
    for (const [replyTo, group] of batched) {
      if (group.length === 1) {
        sends.push(this.amqp.sendToQueue(replyTo, group[0]!.message));
        continue;
      }
      const limits = { maxBytes: this.environment.maxBatchBytes };
      const inputs = group.map(({ event }) => event);
      for (const { message } of buildEventBatches(this.names, replyTo, inputs, limits)) {
        sends.push(this.amqp.sendToQueue(replyTo, message));
      }
    }
    return sends;
  }
}
