import { type BlockList } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { webhookSignature, WEBHOOK_HEADERS, HEADERS } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { RequestTraces } from '../tracing/request-traces';
import { allowedRanges } from './address-guard';
import { webhookBackoffMs } from './webhook-backoff';
import { type ClaimedDelivery, WebhookOutbox } from './webhook-outbox.repository';
import { sendWebhook } from './webhook-sender';

/** Deliveries claimed per round; they are sent concurrently. */
const CLAIM_BATCH = 16;
/** How long a stopping replica waits for the calls of a round in flight. */
const STOP_WAIT_MS = 2000;
/** Finished deliveries are forgotten after this, like finished request ids. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Sends the webhook outbox: every `WM_WEBHOOK_POLL_MS` each replica claims due deliveries (the
 * claim keeps other replicas off for the call's time, and hands a delivery to another replica
 * when this one dies mid-call), signs and POSTs each, and records the outcome: delivered, retried
 * later with exponential backoff and jitter, or given up after `WM_WEBHOOK_RETRY_FOR_MS` (or at
 * once for an address that is refused). At least once: a receiver deduplicates on `wm-webhook-id`.
 */
@Injectable()
export class WebhookPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastPrune = 0;
  private readonly allowed: BlockList;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly traces: RequestTraces,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    this.allowed = allowedRanges(environment.webhookAllowPrivate);
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A round's calls may take WM_WEBHOOK_TIMEOUT_MS each: a stop waits a little for them, then
    // leaves them; their claims expire and any replica makes those calls again (at least once).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** One round: claim, send, record; resolves when every claimed delivery has its outcome. */
  async deliverDue(): Promise<number> {
    const { webhookTimeoutMs } = this.environment;
    // Long enough for the call and its redirects; after that another replica may take over.
    const claimMs = webhookTimeoutMs * 4 + 5000;
    const due = await this.outbox.claimDue(claimMs, CLAIM_BATCH);
    await Promise.all(due.map((delivery) => this.attempt(delivery)));
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.outbox.prune(this.environment.dedupRetentionMs);
    }
    return due.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = (async () => {
        try {
          // Keep going while full rounds come back: a backlog drains without waiting a period.
          while (!this.stopped && (await this.deliverDue()) === CLAIM_BATCH);
        } catch (error) {
          if (!this.stopped) this.logger.warn(`webhook round failed: ${(error as Error).message}`);
        }
      })();
      void this.running.finally(() => this.schedule());
    }, this.environment.webhookPollMs);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const secret = this.secretOf(delivery.key_name);
    if (secret === undefined) {
      await this.outbox.failed(
        delivery.id,
        null,
        'no webhook secret configured (WM_WEBHOOK_SECRET or WM_WEBHOOK_KEY_SECRETS): unsigned calls are never sent',
      );
      return;
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'wm-manager-webhooks',
      [WEBHOOK_HEADERS.id]: delivery.id,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, delivery.payload),
      [WEBHOOK_HEADERS.attempt]: String(delivery.attempts),
      [HEADERS.requestId]: delivery.request_id,
    };
    const result = await this.traces.webhookCall(
      {
        requestId: delivery.request_id,
        traceparent: delivery.traceparent ?? undefined,
        tracestate: delivery.tracestate ?? undefined,
      },
      async (trace) => {
        if (trace.traceparent) headers[HEADERS.traceparent] = trace.traceparent;
        if (trace.tracestate) headers[HEADERS.tracestate] = trace.tracestate;
        const sent = await sendWebhook(delivery.url, delivery.payload, headers, {
          timeoutMs: this.environment.webhookTimeoutMs,
          maxResponseBytes: this.environment.webhookMaxResponseBytes,
          allowed: this.allowed,
        });
        return { ...sent, ok: sent.outcome === 'delivered' };
      },
    );
    if (result.outcome === 'delivered') {
      await this.outbox.delivered(delivery.id, result.status, result.note ?? null);
      return;
    }
    const delay = webhookBackoffMs(
      delivery.attempts,
      this.environment.webhookBackoffMs,
      this.environment.webhookMaxBackoffMs,
    );
    const age = Date.now() - delivery.created_at.getTime();
    if (result.outcome === 'refused' || age + delay > this.environment.webhookRetryForMs) {
      const why =
        result.outcome === 'refused'
          ? result.error
          : `gave up after ${delivery.attempts} attempt(s) over ${Math.round(age / 1000)} s (WM_WEBHOOK_RETRY_FOR_MS): ${result.error}`;
      this.logger.warn(
        `webhook of request ${delivery.request_id} to ${delivery.url} given up: ${why}`,
      );
      await this.outbox.failed(delivery.id, result.status, why);
      return;
    }
    await this.outbox.retryLater(delivery.id, result.status, result.error, delay);
  }

  private secretOf(keyName: string | null): string | undefined {
    return (
      (keyName !== null ? this.environment.webhookKeySecrets[keyName] : undefined) ??
      this.environment.webhookSecret
    );
  }
}
