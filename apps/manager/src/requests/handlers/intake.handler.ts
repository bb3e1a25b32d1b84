import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { type FrameLimits } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../../config/environment.tokens';
import { type ManagerEnvironment } from '../../config/manager-environment';
import { MessageParking } from '../../messaging/message-parking';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { type IntakeItem, intakeItemsOf } from '../intake-item';
import { IntakeService } from '../intake.service';

/**
 * Requests recorded per intake call (one transaction) at most: a consumer batch of request
 * batches (design 5.2) can hold a hundred thousand items, and one transaction that size holds
 * locks and memory for seconds. The whole consumer batch is still acknowledged only after every
 * chunk committed; a failure redelivers it, and the chunks already recorded are absorbed.
 */
const INTAKE_CHUNK = 2_000;

/**
 * `<ns>.manager.requests`: single requests and request batches, one intake call per chunk,
 * acknowledged after every chunk committed. A request batch whose frame cannot be read is parked
 * whole in `<ns>.parked` with its reasons (no item of it can be trusted to name a request).
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class IntakeHandler {
  private readonly limits: FrameLimits;

  constructor(
    private readonly intake: IntakeService,
    private readonly parking: MessageParking,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.limits = { maxBytes: environment.maxBatchBytes };
  }

  // Intake order matters less (waiting requests are claimed by priority and arrival sequence);
  // overlapping two batches helps throughput. Started last, stopped first.
  @EventPattern('managerRequests', { maxInFlight: 2, startOrder: 3 })
  async onRequests(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const items: IntakeItem[] = [];
    for (const message of batch) {
      const read = intakeItemsOf(message, this.limits);
      if (read.ok) items.push(...read.value);
      else await this.parking.parkBatch(message, read.error, 'managerRequests');
    }
    for (let start = 0; start < items.length; start += INTAKE_CHUNK) {
      await this.intake.ingest(items.slice(start, start + INTAKE_CHUNK));
    }
  }
}
