import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REQUEST_STATES, type RequestState } from '@org/protocol';

/** A request as listed. */
export class RequestSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: REQUEST_STATES }) state!: RequestState;
  @ApiProperty({ example: 'product/raw' }) contentType!: string;
  @ApiProperty({ nullable: true, type: String }) workflow!: string | null;
  @ApiProperty({
    type: [String],
    description: 'Worker types of the steps (one for a single-type request).',
  })
  steps!: string[];
  @ApiProperty({ description: '0-based index of the current step.' }) step!: number;
  @ApiProperty({ description: 'Worker type of the current step.' }) workerType!: string;
  @ApiProperty({ description: 'Dispatches so far (the fencing token of the current job).' })
  attempt!: number;
  @ApiProperty({ description: 'wm-priority, 0–9 (higher is dispatched first).' }) priority!: number;
  @ApiProperty({ nullable: true, type: String }) tenant!: string | null;
  @ApiProperty({ nullable: true, type: String }) owner!: string | null;
  @ApiProperty({ nullable: true, type: String }) session!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The request whose job submitted this one (ctx.submit).',
  })
  parentId!: string | null;
  @ApiProperty({
    type: [String],
    description: 'Reasons given with the latest error, invalid content or skip.',
  })
  messages!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;
}

/** One state change of a request. */
export class RequestHistoryEntryDto {
  @ApiProperty({ enum: REQUEST_STATES }) state!: RequestState;
  @ApiProperty() step!: number;
  @ApiProperty() attempt!: number;
  @ApiProperty() workerType!: string;
  @ApiProperty({ nullable: true, type: String }) workerId!: string | null;
  @ApiProperty({ type: [String] }) messages!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

/** One request with everything the manager knows about it but its payload. */
export class RequestDetailDto extends RequestSummaryDto {
  @ApiProperty({ description: "Content type of the current step's input." })
  inputContentType!: string;
  @ApiProperty({ nullable: true, type: String }) inputMime!: string | null;
  @ApiProperty({ description: "Size of the current step's input in bytes." }) inputBytes!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'wm-meta-* headers carried so far.',
  })
  meta!: Record<string, string>;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The worker instance of the latest dispatch.',
  })
  workerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
  @ApiProperty({ nullable: true, type: String }) replyTo!: string | null;
  @ApiProperty({ nullable: true, type: String }) traceparent!: string | null;
  @ApiProperty({ enum: ['all', 'terminal', 'none'], description: 'wm-notify.' }) notify!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the current job times out (its timeoutMs counted from its dispatch).',
  })
  deadline!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'SCHEDULED until then (wm-not-before, or a retry backoff).',
  })
  notBefore!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'wm-deadline: ERROR "deadline passed" if no worker has started it by then.',
  })
  startBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) dispatchedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Size of the kept output (keepSuccess: true); GET .../output serves it.',
  })
  outputBytes!: number | null;
  @ApiProperty({ nullable: true, type: String }) outputContentType!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why a waiting request waits: no live worker, its type paused, a full dispatch window, a schedule.',
  })
  waitingReason!: string | null;
  @ApiProperty({ type: [RequestHistoryEntryDto], description: 'State changes, oldest first.' })
  history!: RequestHistoryEntryDto[];
}

export class RequestCountsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { ERROR: 3, RUNNING: 12 },
  })
  byState!: Record<string, number>;

  @ApiProperty() total!: number;
}

/** A page of requests. */
export class RequestPageDto {
  @ApiProperty({ type: [RequestSummaryDto] }) items!: RequestSummaryDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;

  @ApiPropertyOptional({
    type: RequestCountsDto,
    description: 'Counts by state under the same filters, ignoring the state filter.',
  })
  counts?: RequestCountsDto;
}

/** The outcome of one submitted request. */
export class SubmittedRequestDto {
  @ApiProperty() id!: string;
  @ApiProperty({
    description: 'Its state after intake, or SKIPPED when it was refused (see messages).',
    example: 'DISPATCHED',
  })
  state!: string;
  @ApiPropertyOptional({
    description: 'True when the same request was already recorded (absorbed).',
  })
  duplicate?: boolean;
  @ApiPropertyOptional({ type: [String] }) messages?: string[];
}

export class SubmittedBatchDto {
  @ApiProperty({
    type: [SubmittedRequestDto],
    description: 'One entry per submitted request, in order.',
  })
  requests!: SubmittedRequestDto[];
  @ApiPropertyOptional({
    description:
      'With a batch callbackUrl: the id its summary names (and its webhook history is under).',
  })
  batchId?: string;
}

/** The outcome of a bulk operation. */
export class BulkResultDto {
  @ApiProperty({
    description:
      'Requests retried, cancelled or deleted (with dryRun: the ones it would consider).',
  })
  count!: number;
  @ApiPropertyOptional({
    description: 'Matching requests left alone (their state changed meanwhile).',
  })
  skipped?: number;
}
