import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  amqpTimestamp,
  HEADERS,
  type IncomingMessage,
  type Names,
  type OutgoingMessage,
  type ProtocolValidationError,
  type ValidationIssue,
} from '@org/protocol';
import { NAMES } from '../config/environment.tokens';
import { AmqpService } from './amqp.service';

/**
 * Why a response was parked: a fixed set, so the `reason` label of
 * `wm_responses_dropped_total` stays bounded whatever workers send. `malformed_batch`: a
 * response batch whose frame could not be read (design 5.2); every item in it is dropped.
 */
export const PARK_REASONS = [
  'missing_header',
  'invalid_header',
  'invalid_body',
  'malformed_batch',
] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/** The reason a response counts under: a missing header first, then a bad one, then the body. */
export function parkReasonOf(issues: readonly ValidationIssue[]): ParkReason {
  const headerIssues = issues.filter((issue) => issue.path.startsWith('headers.'));
  if (headerIssues.some((issue) => issue.message === 'is required')) return 'missing_header';
  if (headerIssues.length > 0) return 'invalid_header';
  return 'invalid_body';
}

/** The manager queues a parked message may come from. */
export type ParkedFrom = 'managerResponses' | 'managerRequests';

/**
 * Parks the messages the manager cannot read instead of only logging them: a response breaking
 * the contract (a required header missing, a header or the body invalid), a response batch or a
 * request batch whose frame is malformed (design 5.2: "rejected whole with the reason"). Each is
 * published, body and headers as received, to `<ns>.parked` with every problem in
 * `wm-park-reasons` and its source queue in `wm-parked-from`, where a person finds it (see
 * `docs/decisions.md`, the dead-letter line). No request is changed. Counted for the metrics.
 */
@Injectable()
export class MessageParking {
  private readonly logger = new Logger('MessageParking');
  /** Responses (single or batches) parked by this replica since it started, by reason. */
  readonly parked: Record<ParkReason, number> = {
    missing_header: 0,
    invalid_header: 0,
    invalid_body: 0,
    malformed_batch: 0,
  };
  /** Request batches parked by this replica since it started (their frame was unreadable). */
  parkedRequestBatches = 0;

  constructor(
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  /** Parks a response the manager cannot read; resolves once the broker confirmed it. */
  async parkResponse(message: IncomingMessage, error: ProtocolValidationError): Promise<void> {
    const reason = parkReasonOf(error.issues);
    await this.park(message, error.messages(), 'managerResponses');
    this.parked[reason] += 1;
    this.logger.warn(`parked a response (${reason}): ${error.messages().join('; ')}`);
  }

  /** Parks a batch message whose frame cannot be read; resolves once the broker confirmed it. */
  async parkBatch(
    message: IncomingMessage,
    error: ProtocolValidationError,
    from: ParkedFrom,
  ): Promise<void> {
    await this.park(message, error.messages(), from);
    if (from === 'managerResponses') this.parked.malformed_batch += 1;
    else this.parkedRequestBatches += 1;
    this.logger.warn(
      `parked a malformed batch from ${this.names.queues[from]}: ${error.messages().join('; ')}`,
    );
  }

  private async park(
    message: IncomingMessage,
    reasons: readonly string[],
    from: ParkedFrom,
  ): Promise<void> {
    const properties = message.properties;
    const parked: OutgoingMessage = {
      exchange: '',
      routingKey: this.names.queues.parked,
      content: message.content,
      options: {
        persistent: true,
        messageId: typeof properties.messageId === 'string' ? properties.messageId : randomUUID(),
        correlationId:
          typeof properties.correlationId === 'string' ? properties.correlationId : undefined,
        contentType:
          typeof properties.contentType === 'string' ? properties.contentType : undefined,
        timestamp:
          typeof properties.timestamp === 'number' ? properties.timestamp : amqpTimestamp(),
        headers: {
          ...(properties.headers ?? {}),
          [HEADERS.parkReasons]: [...reasons],
          [HEADERS.parkedFrom]: this.names.queues[from],
        },
      },
    };
    await this.amqp.sendToQueue(this.names.queues.parked, parked);
  }
}
