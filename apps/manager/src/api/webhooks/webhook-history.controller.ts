import { Controller, Get, Param } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { WebhookOutbox } from '../../webhooks/webhook-outbox.repository';

/** One webhook delivery of a request. */
export class WebhookDeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ description: 'The state of the event it carries (SUCCESS, ERROR, …).' })
  eventState!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) state!: string;
  @ApiProperty({ description: 'Attempts made so far.' }) attempts!: number;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'HTTP status of the latest attempt.',
  })
  lastStatus!: number | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why the latest attempt failed.',
  })
  lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When a pending delivery is tried next.',
  })
  nextAttemptAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) finishedAt!:
    string | null;
}

@ApiTags('requests')
@Controller('api/v1/requests')
export class WebhookHistoryController {
  constructor(private readonly outbox: WebhookOutbox) {}

  @Get(':id/webhooks')
  @ApiOperation({
    summary: "A request's webhook deliveries: attempts, last status and error, outcome",
    description: 'Empty when the request named no callback URL (or its deliveries were pruned).',
  })
  @ApiOkResponse({ type: [WebhookDeliveryDto] })
  history(@Param('id') id: string): Promise<WebhookDeliveryDto[]> {
    return this.outbox.history(id);
  }
}
