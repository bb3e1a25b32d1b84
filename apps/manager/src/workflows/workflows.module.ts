import { Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import { WorkflowsService } from './workflows.service';

/** Routes and workflow steps. */
@Module({ imports: [ConfigModule], providers: [WorkflowsService], exports: [WorkflowsService] })
export class WorkflowsModule {}
