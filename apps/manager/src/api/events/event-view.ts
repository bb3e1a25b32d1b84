import { type EventMessage } from '@org/protocol';

/** An event as a stream sends it: its headers as JSON, the output's size instead of its bytes. */
export interface EventView {
  readonly requestId: string;
  readonly state: string;
  readonly contentType: string;
  readonly requestContentType: string;
  readonly messages: readonly string[];
  readonly progress?: number;
  readonly workflow?: string;
  readonly step?: number;
  readonly attempt?: number;
  readonly workerType?: string;
  readonly workerId?: string;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly mimeType?: string;
  /** Bytes of the body (the output, on SUCCESS); `GET /api/v1/requests/{id}/output` serves kept ones. */
  readonly outputBytes: number;
}

export function eventView(event: EventMessage): EventView {
  return {
    requestId: event.requestId,
    state: event.state,
    contentType: event.contentType,
    requestContentType: event.requestContentType,
    messages: event.messages,
    progress: event.progress,
    workflow: event.workflow,
    step: event.step,
    attempt: event.attempt,
    workerType: event.workerType,
    workerId: event.workerId,
    tenant: event.tenant,
    owner: event.owner,
    session: event.session,
    meta: event.meta,
    mimeType: event.mimeType,
    outputBytes: event.body.length,
  };
}
