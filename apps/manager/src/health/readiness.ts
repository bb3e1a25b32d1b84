import { ApiProperty } from '@nestjs/swagger';

/** One dependency the replica needs before it can take work. */
export class ReadinessCheck {
  @ApiProperty({ example: 'broker' })
  name!: string;

  @ApiProperty()
  ok!: boolean;

  @ApiProperty({ required: false, example: 'connected' })
  detail?: string;
}

export class ReadinessReport {
  @ApiProperty({ enum: ['ready', 'not ready'] })
  status!: 'ready' | 'not ready';

  @ApiProperty({ type: [ReadinessCheck] })
  checks!: ReadinessCheck[];
}
