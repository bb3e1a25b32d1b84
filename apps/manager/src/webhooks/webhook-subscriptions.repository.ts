import { Injectable } from '@nestjs/common';
import { type CallbackEvents } from '@org/protocol';
import { DatabaseService, type Statement, type Tx } from '../database/database.service';
import { currentRequestContext } from '../logging/request-context';

/** A request that named a callback URL. */
export interface WebhookSubscription {
  readonly requestId: string;
  readonly url: string;
  readonly events: CallbackEvents;
}

/** The subscription of a request, as staging reads it. */
export interface SubscriptionRow {
  readonly request_id: string;
  /** Null for a batch member without a callback of its own. */
  readonly url: string | null;
  readonly events: CallbackEvents;
  readonly key_name: string | null;
  readonly batch_id: string | null;
  readonly batch_state: string | null;
}

/**
 * Which requests want their events POSTed where. Written by intake inside the transaction that
 * records the requests, so a request's first state change already finds its subscription; the
 * API key the call came through (REST) is kept, so its own secret signs the calls.
 */
@Injectable()
export class WebhookSubscriptions {
  private readonly insertStatement: Statement;
  private readonly findStatement: Statement;

  constructor(database: DatabaseService) {
    const table = database.table('webhook_subscriptions');
    this.insertStatement = database.statement(
      'webhook-subscribe',
      `INSERT INTO ${table} (request_id, url, events, key_name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (request_id) DO UPDATE SET url = EXCLUDED.url, events = EXCLUDED.events
         WHERE ${table}.url IS NULL`,
    );
    this.findStatement = database.statement(
      'webhook-subscriptions-of',
      `SELECT request_id, url, events, key_name, batch_id, batch_state FROM ${table} WHERE request_id = ANY($1::text[])`,
    );
  }

  /** Records the subscriptions of newly recorded requests, in their transaction. */
  async subscribe(tx: Tx, subscriptions: readonly WebhookSubscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    const keyName = currentRequestContext()?.principal ?? null;
    await tx.query(this.insertStatement, [
      subscriptions.map((subscription) => subscription.requestId),
      subscriptions.map((subscription) => subscription.url),
      subscriptions.map((subscription) => subscription.events),
      subscriptions.map(() => keyName),
    ]);
  }

  /** The subscriptions of these requests (usually none: one index lookup). */
  find(tx: Tx, requestIds: readonly string[]): Promise<SubscriptionRow[]> {
    return tx.query<SubscriptionRow>(this.findStatement, [requestIds]);
  }
}
