import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors, validationException } from '../../http/validation';
import { type PartialPolicy } from '../../webhooks/batch-callbacks.repository';
import { SubmitBatchDto, SubmitRequestDto } from './dto/submit-request.dto';

/** A validated submission: one request, or a batch (answered as a batch). */
export interface SubmitBody {
  readonly batch: boolean;
  readonly requests: SubmitRequestDto[];
  /** A batch's own callback (webhooks), if it named one. */
  readonly callback?: { readonly url: string; readonly partial: PartialPolicy };
}

/**
 * `POST /api/v1/requests` takes one request object or `{ "requests": [...] }`: the shape decides
 * which DTO validates it, with the same rules as the global pipe (unknown fields refused).
 */
@Injectable()
export class SubmitBodyPipe implements PipeTransform<unknown, Promise<SubmitBody>> {
  async transform(value: unknown): Promise<SubmitBody> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw validationException([
        { path: '(body)', message: 'must be a request object or { "requests": [...] }' },
      ]);
    }
    const batch = Object.prototype.hasOwnProperty.call(value, 'requests');
    const dto = batch
      ? plainToInstance(SubmitBatchDto, value)
      : plainToInstance(SubmitRequestDto, value);
    const errors = await validate(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    const details = flattenValidationErrors(errors, '');
    const requests = dto instanceof SubmitBatchDto ? dto.requests : [dto];
    if (Array.isArray(requests)) {
      requests.forEach((request, index) => {
        if (
          request instanceof SubmitRequestDto &&
          request.payload !== undefined &&
          request.payloadBase64 !== undefined
        ) {
          details.push({
            path: batch ? `requests[${index}]` : '(body)',
            message: 'give payload or payloadBase64, not both',
          });
        }
      });
    }
    if (details.length > 0) throw validationException(details);
    const callback =
      dto instanceof SubmitBatchDto && dto.callbackUrl !== undefined
        ? { url: dto.callbackUrl, partial: dto.partial ?? 'allow' }
        : undefined;
    return { batch, requests, ...(callback ? { callback } : {}) };
  }
}
