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
  Res,
  StreamableFile,
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
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { parseTime } from '@org/protocol';
import { ApiErrorBody, ApiException } from '../../http/api-error';
import { currentRequestContext } from '../../logging/request-context';
import { CANCELLABLE_STATES } from '../../requests/engine/operations';
import { RequestBulkOperations } from '../../requests/request-bulk.service';
import { RequestReads } from '../../requests/request-reads.service';
import { RequestsService } from '../../requests/requests.service';
import { rethrowAsApiError } from '../domain-errors';
import { BulkQueryDto } from './dto/bulk-query.dto';
import { ListRequestsQueryDto } from './dto/list-requests-query.dto';
import {
  BulkResultDto,
  RequestDetailDto,
  RequestPageDto,
  SubmittedBatchDto,
  type SubmittedRequestDto,
} from './dto/request-view.dto';
import { RequestStepsDto } from './dto/request-steps.dto';
import { SubmitBatchDto, SubmitRequestDto } from './dto/submit-request.dto';
import { BatchCallbackIntake } from './batch-callback-intake';
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
    private readonly reads: RequestReads,
    private readonly bulk: RequestBulkOperations,
    private readonly batchCallbacks: BatchCallbackIntake,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Submit one request or a batch',
    description:
      'Goes through the same intake as the requests exchange. Each request is answered with its id and its state after ' +
      'intake, or SKIPPED with the reasons (no route, skipped content type, payload too large, duplicate or finished id, ' +
      'deadline passed).',
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
    const batchId = body.callback && (await this.batchCallbacks.open(body.requests, body.callback));
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
        priority: request.priority,
        notBefore: parseTime(request.notBefore),
        deadline: parseTime(request.deadline),
        notify: request.notify,
        callbackUrl: request.callbackUrl,
        callbackEvents: request.callbackEvents,
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
    if (batchId) await this.batchCallbacks.settleRefused(outcomes);
    return body.batch ? { requests: answers, ...(batchId ? { batchId } : {}) } : answers[0]!;
  }

  @Get()
  @ApiOperation({ summary: 'List requests: filters, sort, cursor paging, counts by state' })
  @ApiOkResponse({ type: RequestPageDto })
  list(@Query() query: ListRequestsQueryDto): Promise<RequestPageDto> {
    return this.reads.list(query).catch(rethrowAsApiError);
  }

  @Post('retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Retry every retryable request matching the filters',
    description:
      "Only ERROR, INVALID_CONTENT, CANCELLED and waiting (NO_WORKER_AVAILABLE, QUEUED, SCHEDULED) requests are retried; the filters are the listing's. With dryRun=true, only counts them.",
  })
  @ApiOkResponse({ type: BulkResultDto })
  async retryMatching(@Query() query: BulkQueryDto, @Body() body: unknown): Promise<BulkResultDto> {
    refuseBody(body);
    if (query.dryRun)
      return {
        count: await this.bulk.preview(query, 'retry', CANCELLABLE_STATES).catch(rethrowAsApiError),
      };
    return this.bulk.retry(query).catch(rethrowAsApiError);
  }

  @Post('cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel every live request matching the filters',
    description:
      'Waiting and dispatched requests become CANCELLED; their jobs are cancelled wherever they are. With dryRun=true, only counts them.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  async cancelMatching(
    @Query() query: BulkQueryDto,
    @Body() body: unknown,
  ): Promise<BulkResultDto> {
    refuseBody(body);
    if (query.dryRun)
      return {
        count: await this.bulk
          .preview(query, 'cancel', CANCELLABLE_STATES)
          .catch(rethrowAsApiError),
      };
    return this.bulk
      .cancel(query, query.reason ?? 'cancelled by an operator', CANCELLABLE_STATES)
      .catch(rethrowAsApiError);
  }

  @Delete()
  @ApiOperation({
    summary: 'Delete every deletable request matching the filters',
    description:
      'At least one filter is required. Requests a worker may be running are never deleted. With dryRun=true, only counts them.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  async deleteMatching(@Query() query: BulkQueryDto): Promise<BulkResultDto> {
    if (query.dryRun)
      return {
        count: await this.bulk
          .preview(query, 'delete', CANCELLABLE_STATES)
          .catch(rethrowAsApiError),
      };
    return this.bulk.delete(query).catch(rethrowAsApiError);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One request with its step, attempt, worker type, messages, waiting reason and history',
  })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  get(@Param('id') id: string): Promise<RequestDetailDto> {
    return this.reads.get(id).catch(rethrowAsApiError);
  }

  @Get(':id/steps')
  @ApiOperation({
    summary: 'The steps of a graph request',
    description:
      'Each step that became ready so far, in declared order, with its state, dispatches, latest attempt, timings and ' +
      'the sizes of its stored input and output (design 5.4). A request that is not a graph has none.',
  })
  @ApiOkResponse({ type: RequestStepsDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  steps(@Param('id') id: string): Promise<RequestStepsDto> {
    return this.reads.steps(id).catch(rethrowAsApiError);
  }

  @Get(':id/output')
  @ApiOperation({
    summary: 'The kept output of a request that succeeded (keepSuccess: true)',
    description:
      'The bytes as the last step returned them, with their MIME type as Content-Type and the business content type in X-WM-Content-Type.',
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The output bytes.' })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'code not_eligible: the request did not succeed, or its output was not kept.',
  })
  async output(
    @Param('id') id: string,
    @Res({ passthrough: true }) response: HeaderSink,
  ): Promise<StreamableFile> {
    const output = await this.requests.output(id).catch(rethrowAsApiError);
    if (output.contentType) response.setHeader('X-WM-Content-Type', output.contentType);
    return new StreamableFile(output.body, {
      type: output.mimeType ?? 'application/octet-stream',
      length: output.body.length,
    });
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
  @ApiOperation({
    summary: 'Cancel a live request; its job is cancelled wherever it is (running or queued)',
  })
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

/** What the output route needs of the HTTP response: one more header. */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/**
 * The bulk routes take their filters as query parameters; a JSON body used to be ignored, so a
 * client sending its filter as a body retried every retryable request (found by the fault
 * suite, scenario 10).
 */
function refuseBody(body: unknown): void {
  if (body !== null && typeof body === 'object' && Object.keys(body).length > 0) {
    throw new ApiException(
      HttpStatus.BAD_REQUEST,
      'validation_failed',
      'this route takes its filters as query parameters, not in a body',
    );
  }
}
