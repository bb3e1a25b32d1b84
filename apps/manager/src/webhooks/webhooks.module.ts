import { Module } from '@nestjs/common';
import { WebhookOutbox } from './webhook-outbox.repository';
import { WebhookPoller } from './webhook-poller.service';
import { WebhookSubscriptions } from './webhook-subscriptions.repository';

/**
 * Webhooks: requests that named a callback URL have their events POSTed there, signed, through an
 * outbox in PostgreSQL (docs/webhooks.md). The request engine stages deliveries; this module
 * stores and sends them.
 */
@Module({
  providers: [WebhookSubscriptions, WebhookOutbox, WebhookPoller],
  exports: [WebhookSubscriptions, WebhookOutbox],
})
export class WebhooksModule {}
