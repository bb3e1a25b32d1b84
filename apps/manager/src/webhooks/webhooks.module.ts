import { Module } from '@nestjs/common';
import { TracingModule } from '../tracing/tracing.module';
import { BatchCallbacks } from './batch-callbacks.repository';
import { WebhookOutbox } from './webhook-outbox.repository';
import { WebhookPoller } from './webhook-poller.service';
import { WebhookSubscriptions } from './webhook-subscriptions.repository';

/**
 * Webhooks: requests that named a callback URL have their events POSTed there, signed, through an
 * outbox in PostgreSQL (docs/webhooks.md). The request engine stages deliveries; this module
 * stores and sends them.
 */
@Module({
  imports: [TracingModule],
  providers: [WebhookSubscriptions, WebhookOutbox, WebhookPoller, BatchCallbacks],
  exports: [WebhookSubscriptions, WebhookOutbox, BatchCallbacks],
})
export class WebhooksModule {}
