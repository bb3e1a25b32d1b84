import { type EventInput, isTerminalEventState } from '@org/protocol';

/**
 * The JSON body of a webhook call: the event as a requester would see it on the events exchange,
 * with a reference to the output instead of its bytes (kept outputs are served by
 * `GET /api/v1/requests/{id}/output`). docs/webhooks.md documents every field.
 */
export interface WebhookPayload {
  readonly type: 'request.event';
  readonly requestId: string;
  readonly state: string;
  readonly terminal: boolean;
  /** The content type the request was submitted with. */
  readonly contentType: string;
  readonly workflow: string | null;
  readonly step: number | null;
  readonly attempt: number | null;
  readonly workerType: string | null;
  readonly workerId: string | null;
  readonly messages: readonly string[];
  readonly progress: number | null;
  readonly meta: Readonly<Record<string, string>>;
  readonly tenant: string | null;
  readonly owner: string | null;
  readonly session: string | null;
  /** On SUCCESS: what the output is and where a kept one is served; null otherwise. */
  readonly output: {
    readonly contentType: string;
    readonly mimeType: string | null;
    readonly bytes: number;
    readonly href: string;
  } | null;
  readonly occurredAt: string;
}

export function webhookPayload(event: EventInput, occurredAt: Date): WebhookPayload {
  return {
    type: 'request.event',
    requestId: event.requestId,
    state: event.state,
    terminal: isTerminalEventState(event.state),
    contentType: event.requestContentType,
    workflow: event.workflow ?? null,
    step: event.step ?? null,
    attempt: event.attempt ?? null,
    workerType: event.workerType ?? null,
    workerId: event.workerId ?? null,
    messages: event.messages ?? [],
    progress: event.progress ?? null,
    meta: event.meta ?? {},
    tenant: event.tenant ?? null,
    owner: event.owner ?? null,
    session: event.session ?? null,
    output:
      event.state === 'SUCCESS'
        ? {
            contentType: event.contentType ?? event.requestContentType,
            mimeType: event.mimeType ?? null,
            bytes: event.body?.length ?? 0,
            href: `/api/v1/requests/${encodeURIComponent(event.requestId)}/output`,
          }
        : null,
    occurredAt: occurredAt.toISOString(),
  };
}
