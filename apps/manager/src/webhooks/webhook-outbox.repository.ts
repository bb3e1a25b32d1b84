import { Injectable } from '@nestjs/common';
import { type EventInput, isTerminalEventState } from '@org/protocol';
import { DatabaseService, type Statement, type Tx } from '../database/database.service';
import { RequestTraces } from '../tracing/request-traces';
import {
  BatchCallbacks,
  type BatchSummaryDelivery,
  type EndedMember,
} from './batch-callbacks.repository';
import { webhookPayload } from './webhook-payload';
import { WebhookSubscriptions } from './webhook-subscriptions.repository';

/** A delivery claimed for one attempt. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly request_id: string;
  readonly url: string;
  readonly key_name: string | null;
  readonly payload: string;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  /** This attempt's number, from 1. */
  readonly attempts: number;
  readonly created_at: Date;
}

/** A delivery to insert. */
interface StagedRow {
  readonly requestId: string;
  readonly url: string;
  readonly keyName: string | null;
  readonly state: string;
  readonly terminal: boolean;
  readonly payload: string;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** Summary deliveries are kept under the batch's id, with the event state `BATCH`. */
function summaryRows(due: readonly BatchSummaryDelivery[]): StagedRow[] {
  return due.map((summary) => ({
    requestId: summary.batchId,
    url: summary.url,
    keyName: summary.keyName,
    state: 'BATCH',
    terminal: true,
    payload: summary.payload,
    traceparent: null,
    tracestate: null,
  }));
}

/** One delivery as the request's webhook history shows it. */
export interface DeliveryRecord {
  readonly id: string;
  readonly url: string;
  readonly eventState: string;
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly finishedAt: string | null;
}

/**
 * The webhook outbox: deliveries staged in the transaction of the state change whose event they
 * carry (at least once: a replica that dies after commit leaves them to any replica's poller),
 * claimed one attempt at a time, and kept with their outcome as the request's webhook history.
 */
@Injectable()
export class WebhookOutbox {
  private readonly stageStatement: Statement;
  private readonly claimStatement: Statement;
  private readonly deliveredStatement: Statement;
  private readonly retryStatement: Statement;
  private readonly failedStatement: Statement;
  private readonly historyStatement: Statement;
  private readonly pruneDeliveriesStatement: Statement;
  private readonly pruneSubscriptionsStatement: Statement;
  private readonly pruneBatchesStatement: Statement;

  constructor(
    private readonly database: DatabaseService,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly batches: BatchCallbacks,
    private readonly traces: RequestTraces,
  ) {
    const deliveries = database.table('webhook_deliveries');
    this.stageStatement = database.statement(
      'webhook-stage',
      `INSERT INTO ${deliveries} (request_id, url, key_name, event_state, terminal, payload, traceparent, tracestate)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::text[])`,
    );
    this.claimStatement = database.statement(
      'webhook-claim',
      `UPDATE ${deliveries} SET claimed_until = now() + $1 * interval '1 millisecond', attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM ${deliveries}
         WHERE state = 'pending' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, request_id, url, key_name, payload, traceparent, tracestate, attempts, created_at`,
    );
    this.deliveredStatement = database.statement(
      'webhook-delivered',
      `UPDATE ${deliveries} SET state = 'delivered', last_status = $2, last_error = $3, finished_at = now(),
         claimed_until = NULL WHERE id = $1`,
    );
    this.retryStatement = database.statement(
      'webhook-retry',
      `UPDATE ${deliveries} SET last_status = $2, last_error = $3, claimed_until = NULL,
         next_attempt_at = now() + $4 * interval '1 millisecond' WHERE id = $1`,
    );
    this.failedStatement = database.statement(
      'webhook-failed',
      `UPDATE ${deliveries} SET state = 'failed', last_status = $2, last_error = $3, finished_at = now(),
         claimed_until = NULL WHERE id = $1`,
    );
    this.historyStatement = database.statement(
      'webhook-history',
      `SELECT id, url, event_state, state, attempts, last_status, last_error, created_at, next_attempt_at, finished_at
       FROM ${deliveries} WHERE request_id = $1 ORDER BY id`,
    );
    this.pruneDeliveriesStatement = database.statement(
      'webhook-prune-deliveries',
      `DELETE FROM ${deliveries} WHERE state <> 'pending' AND finished_at < now() - $1 * interval '1 millisecond'`,
    );
    this.pruneBatchesStatement = database.statement(
      'webhook-prune-batches',
      `DELETE FROM ${database.table('webhook_batches')}
       WHERE state = 'done' AND created_at < now() - $1 * interval '1 millisecond'`,
    );
    this.pruneSubscriptionsStatement = database.statement(
      'webhook-prune-subscriptions',
      `DELETE FROM ${database.table('webhook_subscriptions')} s
       WHERE s.created_at < now() - $1 * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM ${database.table('requests')} r WHERE r.id = s.request_id)`,
    );
  }

  /**
   * Inside the transaction of a state change: a delivery for each event whose request subscribed
   * to it (terminal events, or every event with `wm-callback-events: all`). Without any
   * subscription this is one index lookup.
   */
  async stage(tx: Tx, events: readonly EventInput[]): Promise<number> {
    if (events.length === 0) return 0;
    const found = await this.subscriptions.find(tx, [
      ...new Set(events.map((event) => event.requestId)),
    ]);
    if (found.length === 0) return 0;
    const byRequest = new Map(found.map((row) => [row.request_id, row]));
    const now = new Date();
    const rows: StagedRow[] = [];
    const ended: EndedMember[] = [];
    for (const event of events) {
      const subscription = byRequest.get(event.requestId);
      if (!subscription) continue;
      const terminal = isTerminalEventState(event.state);
      if (terminal && subscription.batch_id !== null && subscription.batch_state === null) {
        ended.push({ requestId: event.requestId, state: event.state });
      }
      if (subscription.url === null || (subscription.events !== 'all' && !terminal)) continue;
      rows.push({
        requestId: event.requestId,
        url: subscription.url,
        keyName: subscription.key_name,
        state: event.state,
        terminal,
        payload: JSON.stringify(webhookPayload(event, now)),
        // Traced, the call hangs under the manager span that decided the event.
        traceparent: this.traces.parentOf(event).traceparent ?? null,
        tracestate: this.traces.parentOf(event).tracestate ?? null,
      });
    }
    rows.push(...summaryRows(await this.batches.settle(tx, ended)));
    await this.insert(tx, rows);
    return rows.length;
  }

  /**
   * Members of a callback batch refused at intake (SKIPPED: never recorded, so never ending in
   * the engine): counted as ended, their summary staged when it became due.
   */
  async settleRefused(members: readonly EndedMember[]): Promise<void> {
    if (members.length === 0) return;
    await this.database.transaction(async (tx) => {
      await this.insert(tx, summaryRows(await this.batches.settle(tx, members)));
    });
  }

  private async insert(tx: Tx, rows: readonly StagedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(this.stageStatement, [
      rows.map((row) => row.requestId),
      rows.map((row) => row.url),
      rows.map((row) => row.keyName),
      rows.map((row) => row.state),
      rows.map((row) => row.terminal),
      rows.map((row) => row.payload),
      rows.map((row) => row.traceparent),
      rows.map((row) => row.tracestate),
    ]);
  }

  /** Claims up to `limit` due deliveries for one attempt each, for `claimMs`. */
  claimDue(claimMs: number, limit: number): Promise<ClaimedDelivery[]> {
    return this.database.query<ClaimedDelivery>(this.claimStatement, [claimMs, limit]);
  }

  /** `note`: what was odd about a successful call (a response cut off). */
  async delivered(id: string, status: number, note: string | null): Promise<void> {
    await this.database.query(this.deliveredStatement, [id, status, note]);
  }

  async retryLater(
    id: string,
    status: number | null,
    error: string,
    delayMs: number,
  ): Promise<void> {
    await this.database.query(this.retryStatement, [id, status, error, delayMs]);
  }

  async failed(id: string, status: number | null, error: string): Promise<void> {
    await this.database.query(this.failedStatement, [id, status, error]);
  }

  /** The webhook history of one request, oldest delivery first. */
  async history(requestId: string): Promise<DeliveryRecord[]> {
    const rows = await this.database.query<{
      id: string;
      url: string;
      event_state: string;
      state: DeliveryRecord['state'];
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      created_at: Date;
      next_attempt_at: Date;
      finished_at: Date | null;
    }>(this.historyStatement, [requestId]);
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      eventState: row.event_state,
      state: row.state,
      attempts: row.attempts,
      lastStatus: row.last_status,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      nextAttemptAt: row.state === 'pending' ? row.next_attempt_at.toISOString() : null,
      finishedAt: row.finished_at?.toISOString() ?? null,
    }));
  }

  /** Forgets finished deliveries, subscriptions whose request is gone and summarised batches, older than `retentionMs`. */
  async prune(retentionMs: number): Promise<void> {
    await this.database.query(this.pruneDeliveriesStatement, [retentionMs]);
    await this.database.query(this.pruneSubscriptionsStatement, [retentionMs]);
    await this.database.query(this.pruneBatchesStatement, [retentionMs]);
  }
}
