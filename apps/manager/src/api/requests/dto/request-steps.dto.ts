import { ApiProperty } from '@nestjs/swagger';
import { REQUEST_STATES, type RequestState } from '@org/protocol';

/** One step of a graph request (design 5.4). */
export class RequestStepDto {
  @ApiProperty({ example: 'describe', description: 'The step id (wm-step-id).' }) stepId!: string;
  @ApiProperty({ description: "The step's index in the declared order (wm-step)." })
  stepIndex!: number;
  @ApiProperty({ example: 'metadata-extractor' }) workerType!: string;
  @ApiProperty({ enum: REQUEST_STATES }) state!: RequestState;
  @ApiProperty({ description: 'Times the step was dispatched, every cycle included.' })
  dispatches!: number;
  @ApiProperty({ description: 'wm-attempt of its latest dispatch; 0 before the first.' })
  attempt!: number;
  @ApiProperty({ nullable: true, type: String }) workerId!: string | null;
  @ApiProperty({ type: [String] }) messages!: string[];
  @ApiProperty({ type: String, format: 'date-time', description: 'When the step became ready.' })
  createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) dispatchedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ description: "Size of the step's stored input in bytes." }) inputBytes!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Size of its stored output.' })
  outputBytes!: number | null;
  @ApiProperty({ nullable: true, type: String }) outputContentType!: string | null;
}

/** The steps of a request: those that became ready so far (none for a chain). */
export class RequestStepsDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'True when the request runs a graph workflow.' }) graph!: boolean;
  @ApiProperty({ type: [RequestStepDto] }) steps!: RequestStepDto[];
}
