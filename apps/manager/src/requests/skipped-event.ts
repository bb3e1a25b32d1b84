import { type PendingEvent } from './engine/effects';
import { type IntakeItem } from './intake-item';

/**
 * The SKIPPED event of a request intake refused: routed by its content type (or `unknown`),
 * with its id, correlation id and reasons. SKIPPED is terminal, so `wm-notify: terminal` gets
 * it; only `none` (when it could be read) silences it.
 */
export function skippedEvent(item: IntakeItem, messages: readonly string[]): PendingEvent {
  const identity =
    item.kind === 'request'
      ? item.request
      : { replyTo: item.replyTo, contentType: item.contentType, correlationId: item.correlationId };
  const notify = item.kind === 'request' ? item.request.notify : undefined;
  return {
    replyTo: identity.replyTo ?? null,
    notify: notify === 'none' ? 'none' : 'all',
    acceptBatch: false,
    event: {
      requestId: item.requestId,
      state: 'SKIPPED',
      requestContentType: identity.contentType,
      correlationId: identity.correlationId ?? undefined,
      messages: messages.slice(0, 32).map((message) => message.slice(0, 4096)),
    },
  };
}
