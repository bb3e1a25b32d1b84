import { HEADERS } from '../headers';
import { isWorkerType } from '../names';
import { type IncomingMessage } from './amqp-message';
import { propertyText } from './header-fields';

/** Why and from where RabbitMQ dead-lettered a message, read from its `x-death` headers. */
export interface DeadLetterInfo {
  /** `delivery_limit` (a worker crashed or requeued it too often), `rejected`, `expired` or `maxlen`. */
  readonly reason: string;
  /** The queue the message died in. */
  readonly queue: string;
  /** The routing key it was dead-lettered with: a worker type for jobs, `manager.<queue>` for the manager's queues. */
  readonly routingKey: string;
  /** True when a worker queue dead-lettered a job. */
  readonly isJob: boolean;
  /** A sentence for `wm-messages`. */
  readonly description: string;
}

export function readDeadLetter(message: IncomingMessage): DeadLetterInfo {
  const headers = message.properties.headers ?? {};
  const deaths = headers[HEADERS.death];
  const first = Array.isArray(deaths)
    ? (deaths[0] as Record<string, unknown> | undefined)
    : undefined;
  const reason =
    propertyText(headers[HEADERS.firstDeathReason]) ?? propertyText(first?.['reason']) ?? 'unknown';
  const queue =
    propertyText(headers[HEADERS.firstDeathQueue]) ?? propertyText(first?.['queue']) ?? 'unknown';
  const routingKey = message.fields.routingKey;
  const description =
    reason === 'delivery_limit'
      ? `the job was delivered too many times from ${queue} without an answer (the worker crashed or gave it back each time)`
      : reason === 'rejected'
        ? `the job was rejected by a worker of ${queue}`
        : `the job was dead-lettered from ${queue} (${reason})`;
  return { reason, queue, routingKey, isJob: isWorkerType(routingKey), description };
}
