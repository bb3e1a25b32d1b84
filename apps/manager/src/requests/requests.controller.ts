import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiErrorBody, ApiException } from '../http/api-error';
import { currentRequestContext } from '../logging/request-context';
import { ListRequestsQueryDto } from './dto/list-requests-query.dto';
import { RequestFilterDto } from './dto/request-filter.dto';
import {
  BulkResultDto,
  RequestDetailDto,
  RequestPageDto,
  SubmittedBatchDto,
  type SubmittedRequestDto,
} from './dto/request-view.dto';
import { SubmitBatchDto, SubmitRequestDto } from './dto/submit-request.dto';
import { RequestBulkOperations } from './request-bulk.service';
import { rethrowAsApiError } from './request-error-mapping';
import { RequestQueries } from './request-queries.service';
import { RequestsService } from './requests.service';
import { type SubmitBody, SubmitBodyPipe } from './submit-body.pipe';

@ApiTags('requests')
@ApiExtraModels(SubmitRequestDto, SubmitBatchDto)
@ApiBadRequestResponse({
  type: ApiErrorBody,
  description: 'Invalid input; details lists every problem with its path.',
})
@Controller('api/v1/requests')
export class RequestsController {
  constructor(
    private readonly requests: RequestsService,
    private readonly queries: RequestQueries,
    private readonly bulk: RequestBulkOperations,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Submit one request or a batch',
    description:
      'Goes through the same intake as the requests exchange. Each request is answered with its id and its state after ' +
      'intake, or SKIPPED with the reasons (no route, skipped content type, payload too large, duplicate id).',
  })
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(SubmitRequestDto) }, { $ref: getSchemaPath(SubmitBatchDto) }],
    },
  })
  @ApiAcceptedResponse({
    type: SubmittedBatchDto,
    description:
      "A batch is answered { requests: [...] }; a single request with one entry's fields.",
  })
  async submit(
    @Body(SubmitBodyPipe) body: SubmitBody,
  ): Promise<SubmittedRequestDto | SubmittedBatchDto> {
    const context = currentRequestContext();
    const outcomes = await this.requests.submit(
      body.requests.map((request) => ({
        requestId: request.requestId,
        contentType: request.contentType,
        body:
          request.payloadBase64 !== undefined
            ? Buffer.from(request.payloadBase64, 'base64')
            : Buffer.from(JSON.stringify(request.payload), 'utf8'),
        mimeType:
          request.mimeType ??
          (request.payloadBase64 !== undefined ? 'application/octet-stream' : 'application/json'),
        tenant: request.tenant,
        owner: request.owner,
        session: request.session,
        replyTo: request.replyTo,
        traceparent: context?.traceparent,
        tracestate: context?.tracestate,
      })),
    );
    const answers = outcomes.map((outcome): SubmittedRequestDto => ({
      id: outcome.requestId,
      state: outcome.state,
      ...(outcome.duplicate ? { duplicate: true } : {}),
      ...(outcome.messages.length > 0 ? { messages: [...outcome.messages] } : {}),
    }));
    return body.batch ? { requests: answers } : answers[0]!;
  }

  @Get()
  @ApiOperation({ summary: 'List requests: filters, sort, cursor paging, counts by state' })
  @ApiOkResponse({ type: RequestPageDto })
  list(@Query() query: ListRequestsQueryDto): Promise<RequestPageDto> {
    return this.queries.list(query);
  }

  @Post('retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Retry every retryable request matching the filters',
    description:
      "Only ERROR, INVALID_CONTENT, NO_WORKER_AVAILABLE and CANCELLED requests are retried; the filters are the listing's.",
  })
  @ApiOkResponse({ type: BulkResultDto })
  async retryMatching(
    @Query() filter: RequestFilterDto,
    @Body() body: unknown,
  ): Promise<BulkResultDto> {
    // The filters are query parameters; a JSON body used to be ignored, so a client sending its
    // filter as a body retried every retryable request (found by the fault suite, scenario 10).
    if (body !== null && typeof body === 'object' && Object.keys(body).length > 0) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'validation_failed',
        'this route takes its filters as query parameters, not in a body',
      );
    }
    return { count: await this.bulk.retry(filter) };
  }

  @Delete()
  @ApiOperation({
    summary: 'Delete every deletable request matching the filters',
    description:
      'At least one filter is required. Requests a worker may be running are never deleted.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  async deleteMatching(@Query() filter: RequestFilterDto): Promise<BulkResultDto> {
    return { count: await this.bulk.delete(filter) };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One request with its step, attempt, worker type, messages and history',
  })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  get(@Param('id') id: string): Promise<RequestDetailDto> {
    return this.queries.get(id);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retry one request (a new cycle from its failed step)' })
  @ApiOkResponse({ description: '{ id, state }' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'code not_eligible: the request is not in a retryable state.',
  })
  async retry(@Param('id') id: string): Promise<SubmittedRequestDto> {
    const result = await this.requests.retry(id).catch(rethrowAsApiError);
    return { id: result.requestId, state: result.state };
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a live request; the worker holding it is told' })
  @ApiOkResponse({ description: '{ id, state: CANCELLED }' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'code not_eligible: the request has already ended.',
  })
  async cancel(@Param('id') id: string): Promise<SubmittedRequestDto> {
    const result = await this.requests.cancel(id).catch(rethrowAsApiError);
    return { id: result.requestId, state: result.state };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one finished or waiting request' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'code not_eligible: a worker may be running it.',
  })
  async delete(@Param('id') id: string): Promise<void> {
    await this.requests.delete(id).catch(rethrowAsApiError);
  }
}
