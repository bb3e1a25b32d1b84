import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One worker instance as stored: its lease and the figures of its latest message. */
export class WorkerInstanceViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['ready', 'draining'] }) status!: string;
  @ApiProperty({
    description:
      'Ready and heard from within WM_HEARTBEAT_EXPIRY_MS, by the database clock (a worker clock never counts).',
  })
  live!: boolean;
  @ApiProperty({ type: String, format: 'date-time', description: 'Database clock.' })
  lastSeenAt!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Database clock.' })
  registeredAt!: string;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional() host?: string;
  @ApiPropertyOptional() pid?: number;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: "As the worker's clock said.",
  })
  startedAt?: string;
  @ApiPropertyOptional({ description: 'Wire contract version the instance speaks (v2).' })
  contract?: string;
  @ApiPropertyOptional() concurrency?: number;
  @ApiPropertyOptional({ description: 'Most jobs it accepts in one batch frame (v2).' })
  batch?: number;
  @ApiPropertyOptional() inFlight?: number;
  @ApiPropertyOptional() processed?: number;
  @ApiPropertyOptional() failed?: number;
  @ApiPropertyOptional() avgDurationMs?: number;
  @ApiPropertyOptional() rssBytes?: number;
  @ApiPropertyOptional() cpu?: number;
}

/** Sums over a type's live instances. */
export class WorkerTypeStatsDto {
  @ApiProperty() concurrency!: number;
  @ApiProperty() inFlight!: number;
  @ApiProperty() processed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "Mean of the instances' averages, weighted by processed.",
  })
  avgDurationMs!: number | null;
}

/** The latest registration of a worker type, kept across manager restarts. */
export class WorkerRegistrationViewDto {
  @ApiProperty({ description: 'The instance whose registration this is.' }) instanceId!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String }) version!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Wire contract version.' })
  contract!: string | null;
  @ApiProperty({ type: [String], description: 'Content types the worker says it accepts.' })
  contentTypes!: string[];
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'JSON Schema of the job payload, as registered.',
  })
  schema!: Record<string, unknown> | null;
  @ApiPropertyOptional({ description: 'Why the schema cannot be used to validate payloads.' })
  schemaError?: string;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
}

/** One worker type: configuration, registration, liveness, capacity, waiting work and instances. */
export class WorkerTypeViewDto {
  @ApiProperty({ example: 'file-mover' }) type!: string;
  @ApiProperty({
    description: 'Defined in the configuration (false: only heard of through heartbeats).',
  })
  configured!: boolean;
  @ApiProperty({ type: [String], description: 'Content types routed to this type directly.' })
  contentTypes!: string[];
  @ApiProperty({ type: [String], description: 'Workflows with a step on this type.' })
  workflows!: string[];
  @ApiProperty({
    type: WorkerRegistrationViewDto,
    nullable: true,
    description: 'The latest registration (null: no instance of this type ever registered).',
  })
  registration!: WorkerRegistrationViewDto | null;
  @ApiProperty({ description: 'At least one live ready instance: jobs are dispatched.' })
  available!: boolean;
  @ApiProperty() liveInstances!: number;
  @ApiProperty({
    description:
      "Sum of the live instances' advertised concurrency (8 for an instance that advertises none).",
  })
  capacity!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Largest job batch the manager may send: the smallest advertised, when every live instance advertises one.',
  })
  batch!: number | null;
  @ApiProperty({ description: 'Requests waiting for a live instance (NO_WORKER_AVAILABLE).' })
  waiting!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Seconds the oldest waiting request has waited.',
  })
  oldestWaitSeconds!: number | null;
  @ApiProperty({ type: WorkerTypeStatsDto }) stats!: WorkerTypeStatsDto;
  @ApiProperty({
    type: [WorkerInstanceViewDto],
    description:
      'Instances on record (live, draining, or silent until pruned); [] with instances=none.',
  })
  instances!: WorkerInstanceViewDto[];
}

/** The answer to a drain or resume order. */
export class ControlOrderSentDto {
  @ApiProperty() type!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['drain', 'resume'] }) order!: string;
}
