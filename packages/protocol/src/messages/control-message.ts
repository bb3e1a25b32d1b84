import { randomUUID } from 'node:crypto';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { HEADERS } from '../headers';
import { MAX_MESSAGE_LENGTH, MAX_REQUEST_ID_LENGTH } from '../limits';
import { type Names } from '../names';
import { type ControlTarget } from '../topology/topology';
import { rejected, type ParseResult } from '../validation';
import { amqpTimestamp, type IncomingMessage, type OutgoingMessage } from './amqp-message';
import { FIELDS, HeaderReader, headerTable } from './header-fields';
import { parseJsonBody } from './json-body';

export const CONTROL_ORDERS = ['cancel', 'drain', 'resume'] as const;
export type ControlOrderKind = (typeof CONTROL_ORDERS)[number];

/** Body of a control order on `<ns>.control`. */
export class ControlOrderBody {
  /** cancel: abort the named request if this instance runs it; drain: take no new jobs; resume: take jobs again. */
  @IsIn(CONTROL_ORDERS)
  order!: ControlOrderKind;

  /** With cancel: the request to abort. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REQUEST_ID_LENGTH)
  requestId?: string;

  /**
   * v2, with cancel: the attempt to cancel. An instance that does not hold the job remembers the
   * (request id, attempt) pair and acknowledges that job without running it if it arrives later
   * (it may still sit in the queue). Without it, only a running job is aborted (v1).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  attempt?: number;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  reason?: string;
}

/** Who receives an order: one instance, or every instance of a type. */
export type ControlAddress =
  | { readonly target: Extract<ControlTarget, 'instance'>; readonly workerId: string }
  | { readonly target: Extract<ControlTarget, 'type'>; readonly workerType: string };

export function buildControlOrder(
  names: Names,
  address: ControlAddress,
  order: ControlOrderBody,
): OutgoingMessage {
  return {
    exchange: names.exchanges.control,
    routingKey: '',
    content: Buffer.from(JSON.stringify(order)),
    options: {
      persistent: true,
      messageId: randomUUID(),
      contentType: 'application/json',
      timestamp: amqpTimestamp(),
      headers: headerTable({
        [HEADERS.controlTarget]: address.target,
        [HEADERS.workerId]: address.target === 'instance' ? address.workerId : undefined,
        [HEADERS.workerType]: address.target === 'type' ? address.workerType : undefined,
        [HEADERS.requestId]: order.requestId,
      }),
    },
  };
}

export function parseControlOrder(message: IncomingMessage): ParseResult<ControlOrderBody> {
  const reader = new HeaderReader(message.properties.headers);
  reader.required(FIELDS.controlTarget);
  if (reader.issues.length > 0) return rejected('control order', reader.issues);
  return parseJsonBody(ControlOrderBody, message.content, 'control order');
}
