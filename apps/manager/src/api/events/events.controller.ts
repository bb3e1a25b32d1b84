import { Controller, Get, HttpStatus, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiException } from '../../http/api-error';
import { type HttpRequest, type HttpResponse } from '../../http/http-types';
import { EventStreamQueryDto } from './event-stream-query.dto';
import { type EventSubscription, EventStreams, TooManyStreamsError } from './event-streams.service';

/** Bytes a stream may have waiting for a slow client before it is ended. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly streams: EventStreams) {}

  @Get()
  @ApiOperation({
    summary: 'Live requester events as Server-Sent Events',
    description:
      'The events the manager publishes on the events exchange, filtered. The first event, "ready", says the ' +
      'stream is bound: every matching event published after it arrives. Each further event is named by its ' +
      'state and carries the event as JSON. Informational events are at most once, terminal ones at least once.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless text/event-stream.' })
  async stream(
    @Query() query: EventStreamQueryDto,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    let ended = false;
    let subscription: EventSubscription | undefined;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(keepalive);
      response.end();
      void subscription?.close();
    };
    const write = (chunk: string): void => {
      if (ended) return;
      // A client that reads slower than events come would grow this replica's memory without
      // bound: past the limit its stream ends, with the reason, and it may reconnect.
      if (response.writableLength > MAX_BUFFERED_BYTES) {
        response.write(
          'event: overflow\ndata: {"reason":"the client reads slower than events arrive"}\n\n',
        );
        end();
        return;
      }
      response.write(chunk);
    };
    try {
      subscription = this.streams.subscribe(
        {
          requestIds: query.requestId && new Set(query.requestId),
          contentTypes: query.contentType && new Set(query.contentType),
          states: query.state && new Set(query.state),
          tenant: query.tenant,
          owner: query.owner,
          session: query.session,
          terminalOnly: query.terminal ?? false,
        },
        (event) => write(`event: ${event.state}\ndata: ${JSON.stringify(event)}\n\n`),
        () => end(),
      );
    } catch (error) {
      if (error instanceof TooManyStreamsError)
        throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          'service_unavailable',
          error.message,
        );
      throw error;
    }
    // Declared after subscribing: `end` (which clears it) can only run once the call is answered.
    const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
    request.once('close', end);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    try {
      await subscription.ready;
      if (ended) return;
      write('event: ready\ndata: {}\n\n');
    } catch {
      end();
    }
  }
}
