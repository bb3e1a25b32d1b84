import { Module } from '@nestjs/common';
import { RequestsModule } from '../../requests/requests.module';
import { WorkerDispatchController } from '../workers/worker-dispatch.controller';
import { ScalingController } from './scaling.controller';

/** Dispatch controls and signals over REST: pause/resume, dispatch state, scale-from-zero. */
@Module({
  imports: [RequestsModule],
  controllers: [WorkerDispatchController, ScalingController],
})
export class DispatchApiModule {}
