import { Type } from 'class-transformer';
import {
  IsIn,
  IsPositive,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONTENT_TYPE_PATTERN, WORKER_TYPE_PATTERN } from '../names';
import { IsDuration } from './duration';
import { type GraphStepConfig } from './workflow-graph';

/** Automatic retries of retryable errors and crashes. Default: none (`maxAttempts: 1`). */
export class RetryPolicy {
  /** Attempts in one cycle, the first included. @default 1 (no automatic retry) */
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts: number = 1;

  /** Wait before the first retry, in ms. @default 0 */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  backoffMs: number = 0;

  /** Each further retry waits this many times longer. @default 2 */
  @IsNumber()
  @Min(1)
  @Max(10)
  backoffMultiplier: number = 2;

  /** Upper bound of a retry wait, in ms. @default 3600000 (one hour) */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  maxBackoffMs: number = 3_600_000;
}

/**
 * How long finished requests that are kept stay before the manager deletes them (in bounded
 * batches). Durations are milliseconds or strings such as `"90s"`, `"24h"`, `"7d"`.
 */
export class RetentionPolicy {
  /** Kept successes (`keepSuccess: true`) are deleted this long after they succeeded. @default kept until deleted */
  @IsOptional()
  @IsDuration()
  success?: number | string;

  /** Kept failures (ERROR, INVALID_CONTENT, CANCELLED) are deleted this long after they ended. @default kept until deleted */
  @IsOptional()
  @IsDuration()
  errors?: number | string;
}

/** Dispatches per second for one worker type, shared by every manager replica (a token bucket). */
export class RateLimit {
  /** Sustained dispatches per second. */
  @IsNumber()
  @IsPositive()
  @Max(100_000)
  perSecond!: number;

  /** Dispatches allowed at once after a quiet period. @default ceil(perSecond), at least 1 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  burst?: number;
}

/** Dispatch order between requesters of one worker type at equal priority (design 5.1). */
export const FAIRNESS_MODES = ['none', 'tenant', 'owner'] as const;
export type FairnessMode = (typeof FAIRNESS_MODES)[number];

/** What happens to a request of a worker type or workflow when things go wrong. */
export abstract class FailurePolicy {
  /** Keep failed requests (ERROR, INVALID_CONTENT) for inspection and retry; false deletes them. @default true */
  @IsOptional()
  @IsBoolean()
  keepErrors?: boolean;

  /** Keep successful requests (state SUCCESS) instead of deleting them. @default false */
  @IsOptional()
  @IsBoolean()
  keepSuccess?: boolean;

  /** A dispatched request with no final answer after this many ms becomes ERROR. @default none */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(7 * 86_400_000)
  timeoutMs?: number;

  /** @default { maxAttempts: 1 } (no automatic retry) */
  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicy)
  retry?: RetryPolicy;

  /** @default {} (kept requests stay until deleted) */
  @IsOptional()
  @ValidateNested()
  @Type(() => RetentionPolicy)
  retention?: RetentionPolicy;
}

/** A worker type and the content types routed to it. */
export class WorkerTypeConfig extends FailurePolicy {
  @IsString()
  @Matches(WORKER_TYPE_PATTERN, {
    message: 'must match $constraint1 (lower-case letters, digits, "_" and "-")',
  })
  type!: string;

  /** Content types whose requests run on this worker type alone. @default [] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @Matches(CONTENT_TYPE_PATTERN, {
    each: true,
    message: 'each value must be a content type without spaces, "*" or "#"',
  })
  contentTypes: string[] = [];

  /** Content type of this worker's output when its response does not name one. @default the input's content type */
  @IsOptional()
  @IsString()
  @Matches(CONTENT_TYPE_PATTERN)
  output?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  /**
   * Upper bound of this type's dispatch window: jobs outstanding (published, not yet answered)
   * across every manager replica. @default none: the window is twice the concurrency advertised
   * by the type's live ready instances (8 for an instance that advertises none), or for short
   * jobs what they answer within the manager's `WM_DISPATCH_HORIZON_MS`
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxInFlight?: number;

  /** @default none (no rate limit) */
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimit)
  rateLimit?: RateLimit;

  /**
   * `tenant` or `owner`: at equal priority, waiting requests are dispatched round robin across
   * tenants (owners) instead of oldest first, so one requester's backlog does not starve others.
   * @default 'none'
   */
  @IsOptional()
  @IsIn(FAIRNESS_MODES)
  fairness?: FairnessMode;

  /**
   * Check JSON payloads against the JSON Schema the type's workers registered; a payload that
   * breaks it ends `INVALID_CONTENT` at intake with every violation listed. @default false
   */
  @IsOptional()
  @IsBoolean()
  validatePayload?: boolean;
}

/** A multi-step workflow: a chain of worker types, or a graph of steps (design 5.4). */
export class WorkflowConfig extends FailurePolicy {
  /** The workflow's name; it is also the content type that runs it unless `contentTypes` says otherwise. */
  @IsString()
  @Matches(CONTENT_TYPE_PATTERN, { message: 'must be a content type without spaces, "*" or "#"' })
  type!: string;

  /**
   * Worker types in order (v1, a chain: the output of step k is the input of step k+1), or a
   * graph (design 5.4): step objects `{ id, worker, after }` run as soon as every step they come
   * `after` has succeeded. Entries are checked by `validateConfig` (graph rules with paths).
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  steps!: Array<string | GraphStepConfig>;

  /** Content types that run this workflow. @default [type] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @Matches(CONTENT_TYPE_PATTERN, { each: true })
  contentTypes?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;
}

/** The manager's routing configuration (`WM_CONFIG`, `GET|PUT /api/v1/config`). */
export class ManagerConfig {
  /** @default [] */
  @IsArray()
  @ArrayMaxSize(1024)
  @ValidateNested({ each: true })
  @Type(() => WorkerTypeConfig)
  workers: WorkerTypeConfig[] = [];

  /** @default [] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1024)
  @ValidateNested({ each: true })
  @Type(() => WorkflowConfig)
  workflows: WorkflowConfig[] = [];

  /** Content types answered SKIPPED on arrival. @default [] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1024)
  @IsString({ each: true })
  skipContentTypes: string[] = [];
}
