import { ApiProperty } from '@nestjs/swagger';

/** What an autoscaler reads for one worker type. */
export class ScalingSignalDto {
  @ApiProperty({ example: 'file-mover' }) type!: string;
  @ApiProperty({
    description:
      'Requests that could run now if there were room: NO_WORKER_AVAILABLE + QUEUED (SCHEDULED ones are not due yet).',
  })
  waitingRequests!: number;
  @ApiProperty({ description: 'How long the oldest waiting request has waited, in seconds.' })
  oldestWaitingSeconds!: number;
  @ApiProperty({
    description:
      'Instances whose dispatch windows would hold the outstanding and waiting work (2 × concurrency each).',
  })
  desiredInstances!: number;
}
