import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ConsumeMessage } from 'amqplib';
import {
  amqpTimestamp,
  HEADERS,
  type Names,
  type OutgoingMessage,
  type ProtocolValidationError,
  type ValidationIssue,
} from '@org/protocol';
import { NAMES } from '../config/environment.tokens';
import { AmqpService } from './amqp.service';

/**
 * Why a response was parked: a fixed set, so the `reason` label of
 * `wm_responses_dropped_total` stays bounded whatever workers send.
 */
export const PARK_REASONS = ['missing_header', 'invalid_header', 'invalid_body'] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/** The reason a response counts under: a missing header first, then a bad one, then the body. */
export function parkReasonOf(issues: readonly ValidationIssue[]): ParkReason {
  const headerIssues = issues.filter((issue) => issue.path.startsWith('headers.'));
  if (headerIssues.some((issue) => issue.message === 'is required')) return 'missing_header';
  if (headerIssues.length > 0) return 'invalid_header';
  return 'invalid_body';
}

/**
 * Parks the responses the manager cannot read (a required header missing, a header or the
 * body breaking the contract) instead of only logging them: each is published, body and
 * headers as received, to `<ns>.parked` with every problem in `wm-park-reasons` and its source
 * queue in `wm-parked-from`, where a person finds it (see `docs/decisions.md`, the dead-letter
 * line). The request it was about is not changed. Counted by reason for the metrics.
 */
@Injectable()
export class ResponseParking {
  private readonly logger = new Logger('ResponseParking');
  /** Responses parked by this replica since it started, by reason. */
  readonly parked: Record<ParkReason, number> = {
    missing_header: 0,
    invalid_header: 0,
    invalid_body: 0,
  };

  constructor(
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  /** Publishes `message` to the parking queue and resolves once the broker confirmed it. */
  async park(message: ConsumeMessage, error: ProtocolValidationError): Promise<void> {
    const reasons = error.messages();
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
          [HEADERS.parkReasons]: reasons,
          [HEADERS.parkedFrom]: this.names.queues.managerResponses,
        },
      },
    };
    await this.amqp.sendToQueue(this.names.queues.parked, parked);
    const reason = parkReasonOf(error.issues);
    this.parked[reason] += 1;
    this.logger.warn(
      `parked a response (${reason}) in ${this.names.queues.parked}: ${reasons.join('; ')}`,
    );
  }
}
