import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type IntakeOutcome } from '../../requests/intake.service';
import { BatchCallbacks, type PartialPolicy } from '../../webhooks/batch-callbacks.repository';
import { WebhookOutbox } from '../../webhooks/webhook-outbox.repository';
import { type SubmitRequestDto } from './dto/submit-request.dto';

/**
 * The REST side of a batch submitted with one callback: the batch and its members are recorded
 * before the requests go to intake (every member needs an id, so the missing ones are given one
 * here), and the members intake refused (never recorded, so never ending) are counted after.
 */
@Injectable()
export class BatchCallbackIntake {
  constructor(
    private readonly batches: BatchCallbacks,
    private readonly outbox: WebhookOutbox,
  ) {}

  /** Opens the batch; fills in the missing request ids. Returns the batch's id. */
  async open(
    requests: SubmitRequestDto[],
    callback: { readonly url: string; readonly partial: PartialPolicy },
  ): Promise<string> {
    for (const request of requests) request.requestId ??= randomUUID();
    const batchId = `batch-${randomUUID()}`;
    await this.batches.open(
      batchId,
      callback.url,
      callback.partial,
      requests.map((request) => request.requestId!),
    );
    return batchId;
  }

  /** Members refused at intake end now (SKIPPED or INVALID_CONTENT, never stored). */
  async settleRefused(outcomes: readonly IntakeOutcome[]): Promise<void> {
    await this.outbox.settleRefused(
      outcomes
        .filter((outcome) => outcome.state === 'SKIPPED' || outcome.state === 'INVALID_CONTENT')
        .filter((outcome) => !outcome.duplicate)
        .map((outcome) => ({ requestId: outcome.requestId, state: outcome.state })),
    );
  }
}
