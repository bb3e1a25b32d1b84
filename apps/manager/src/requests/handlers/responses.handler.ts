import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ConsumeMessage } from 'amqplib';
import { isBatch, parseResponse, parseResponseBatch, type FrameLimits } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../../config/environment.tokens';
import { type ManagerEnvironment } from '../../config/manager-environment';
import { MessageParking } from '../../messaging/message-parking';
import { RethrowBatchErrors } from '../../messaging/rethrow-batch-errors.filter';
import { outcomeOfResponse, type Outcome } from '../engine/outcome';
import { OutcomesService } from '../outcomes.service';

/**
 * `<ns>.manager.responses`: single responses and response batches (design 5.2), one transaction
 * per consumer batch, acknowledged after commit. One batch at a time, so a worker's RUNNING is
 * applied before its SUCCESS. A response that breaks the contract is parked (`<ns>.parked`) with
 * its reasons; so is a response batch whose frame cannot be read, every item in it dropped. A
 * bad item in a readable batch is parked alone (as the single response it stands for).
 */
@Controller()
@UseFilters(RethrowBatchErrors)
export class ResponsesHandler {
  private readonly limits: FrameLimits;

  constructor(
    private readonly outcomes: OutcomesService,
    private readonly parking: MessageParking,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.limits = { maxBytes: environment.maxBatchBytes };
  }

  @EventPattern('managerResponses', { startOrder: 0 })
  async onResponses(@Payload() batch: ConsumeMessage[]): Promise<void> {
    const outcomes: Outcome[] = [];
    for (const message of batch) {
      if (!isBatch(message)) {
        const parsed = parseResponse(message);
        if (parsed.ok) outcomes.push(outcomeOfResponse(parsed.value));
        else await this.parking.parkResponse(message, parsed.error);
        continue;
      }
      const frame = parseResponseBatch(message, this.limits);
      if (!frame.ok) {
        await this.parking.parkBatch(message, frame.error, 'managerResponses');
        continue;
      }
      for (const item of frame.value) {
        if (item.parsed.ok) outcomes.push(outcomeOfResponse(item.parsed.value));
        else await this.parking.parkResponse(item.message, item.parsed.error);
      }
    }
    await this.outcomes.applyBatch(outcomes);
  }
}
