import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { intakeItemOf } from '../intake-item';
import { IntakeService } from '../intake.service';

/** `<ns>.manager.requests`: one intake call per batch, acknowledged after it committed. */
@Controller()
@UseFilters(RethrowBatchErrors)
export class IntakeHandler {
  constructor(private readonly intake: IntakeService) {}

  // Intake order matters less (waiting requests are claimed by priority and arrival sequence);
  // overlapping two batches helps throughput. Started last, stopped first.
  @EventPattern('managerRequests', { maxInFlight: 2, startOrder: 3 })
  async onRequests(@Payload() batch: ConsumeMessage[]): Promise<void> {
    await this.intake.ingest(batch.map(intakeItemOf));
  }
}
