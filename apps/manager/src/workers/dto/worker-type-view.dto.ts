import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One worker instance as this replica last heard of it. */
export class WorkerInstanceViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['ready', 'draining'] }) status!: string;
  @ApiProperty({ description: 'Ready and heard from within WM_HEARTBEAT_EXPIRY_MS.' })
  live!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) lastSeenAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) registeredAt!: string;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional() host?: string;
  @ApiPropertyOptional() pid?: number;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional() concurrency?: number;
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

/** One worker type: configuration, liveness, waiting work and instances. */
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
  @ApiProperty({ description: 'At least one live ready instance: jobs are dispatched.' })
  available!: boolean;
  @ApiProperty() liveInstances!: number;
  @ApiProperty({ description: 'Requests waiting for a live instance (NO_WORKER_AVAILABLE).' })
  waiting!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Seconds the oldest waiting request has waited.',
  })
  oldestWaitSeconds!: number | null;
  @ApiProperty({ type: WorkerTypeStatsDto }) stats!: WorkerTypeStatsDto;
  @ApiProperty({ type: [WorkerInstanceViewDto] }) instances!: WorkerInstanceViewDto[];
}
