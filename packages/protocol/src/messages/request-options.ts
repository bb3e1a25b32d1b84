import { HEADERS } from '../headers';
import { MAX_PRIORITY } from '../limits';
import { type CallbackEvents, type NotifyMode } from '../states';
import { FIELDS, type HeaderReader } from './header-fields';

/**
 * v2 request headers (design 5.1, 5.2, 5.4): scheduling, notification and lineage. All optional;
 * a v1 requester sends none of them and gets v1 behaviour.
 */
export interface RequestOptions {
  /** 0–9, higher first. @default 0 */
  readonly priority?: number;
  /** Epoch ms: recorded now, dispatched no earlier. @default dispatch as soon as possible */
  readonly notBefore?: number;
  /** Epoch ms: no worker started it by then → ERROR "deadline passed". @default none */
  readonly deadline?: number;
  /** Which events the requester receives. @default 'all' */
  readonly notify?: NotifyMode;
  /** The replyTo queue accepts event batches. @default false */
  readonly acceptBatch?: boolean;
  /** The request whose job submitted this one (`ctx.submit`). */
  readonly parentId?: string;
  /** An http(s) URL the manager POSTs this request's events to (a webhook). @default none */
  readonly callbackUrl?: string;
  /** Which events go to `callbackUrl`. @default 'terminal' */
  readonly callbackEvents?: CallbackEvents;
}

/**
 * Reads the v2 request headers. The priority may also come from the AMQP `priority` property
 * (what other queue systems use); a property above the contract's range counts as the highest.
 */
export function readRequestOptions(reader: HeaderReader, amqpPriority: unknown): RequestOptions {
  const header = reader.optional(FIELDS.priority);
  const property =
    typeof amqpPriority === 'number' && Number.isInteger(amqpPriority) && amqpPriority >= 0
      ? Math.min(amqpPriority, MAX_PRIORITY)
      : undefined;
  return {
    priority: header ?? property,
    notBefore: reader.optional(FIELDS.notBefore),
    deadline: reader.optional(FIELDS.deadline),
    notify: reader.optional(FIELDS.notify) as NotifyMode | undefined,
    acceptBatch: reader.optional(FIELDS.acceptBatch),
    parentId: reader.optional(FIELDS.parentId),
    callbackUrl: reader.optional(FIELDS.callbackUrl),
    callbackEvents: reader.optional(FIELDS.callbackEvents) as CallbackEvents | undefined,
  };
}

export function requestOptionHeaders(options: RequestOptions): Record<string, unknown> {
  return {
    [HEADERS.priority]: options.priority,
    [HEADERS.notBefore]: options.notBefore,
    [HEADERS.deadline]: options.deadline,
    [HEADERS.notify]: options.notify,
    [HEADERS.acceptBatch]: options.acceptBatch,
    [HEADERS.parentId]: options.parentId,
    [HEADERS.callbackUrl]: options.callbackUrl,
    [HEADERS.callbackEvents]: options.callbackEvents,
  };
}
