import {
  buildControlOrder,
  buildEvent,
  buildJob,
  buildRequest,
  buildResponse,
  buildWorkerMessage,
  HEADERS,
  MAX_MESSAGES,
  MESSAGE_SPECS,
  namesFor,
  parseControlOrder,
  parseEvent,
  parseJob,
  parseRequest,
  parseResponse,
  parseWorkerMessage,
  readDeadLetter,
  requestIdentity,
  type IncomingMessage,
  type OutgoingMessage,
  type ParseResult,
} from '../src/index';

const names = namesFor('t');

/** What a consumer would receive for a published message. */
function delivered(
  message: OutgoingMessage,
  overrides: {
    headers?: Record<string, unknown>;
    content?: Buffer;
    routingKey?: string;
    properties?: Record<string, unknown>;
  } = {},
): IncomingMessage {
  const headers = { ...message.options.headers, ...overrides.headers };
  for (const [key, value] of Object.entries(headers)) if (value === undefined) delete headers[key];
  return {
    content: overrides.content ?? message.content,
    fields: {
      routingKey: overrides.routingKey ?? message.routingKey,
      exchange: message.exchange,
      redelivered: false,
    },
    properties: { ...message.options, ...overrides.properties, headers },
  };
}

function issues<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected the message to be refused');
  return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

const job = buildJob(names, {
  requestId: 'r-1',
  attempt: 2,
  workerType: 'file-mover',
  contentType: 'product/raw',
  workflow: 'product/ingest',
  step: 0,
  tenant: 'acme',
  meta: { 'wm-meta-origin': 'ftp', checksum: 'abc' },
  messageId: 'r-1#2',
  correlationId: 'c-1',
  body: Buffer.from('{"a":1}'),
});
const response = buildResponse(names, {
  requestId: 'r-1',
  attempt: 2,
  status: 'SUCCESS',
  workerType: 'file-mover',
  workerId: 'w-1',
  step: 0,
  contentType: 'product/stored',
  meta: { 'wm-meta-size': '12' },
  body: Buffer.from('out'),
});
const request = buildRequest(names, {
  requestId: 'r-1',
  contentType: 'product/raw',
  body: Buffer.from('payload'),
  owner: 'ann',
  replyTo: 'my-replies',
});
const event = buildEvent(names, {
  requestId: 'r-1',
  state: 'SUCCESS',
  requestContentType: 'product/ingest',
  contentType: 'product/described',
  step: 1,
  body: Buffer.from('{}'),
});
const heartbeat = buildWorkerMessage(names, 'heartbeat', {
  id: 'w-1',
  type: 'file-mover',
  status: 'ready',
  inFlight: 2,
  processed: 10,
  rssBytes: 1000,
  cpu: 12.5,
});
const control = buildControlOrder(
  names,
  { target: 'type', workerType: 'file-mover' },
  { order: 'cancel', requestId: 'r-1' },
);

const parsers: Record<
  string,
  { message: OutgoingMessage; parse: (message: IncomingMessage) => ParseResult<unknown> }
> = {
  request: { message: request, parse: parseRequest },
  job: { message: job, parse: parseJob },
  response: { message: response, parse: parseResponse },
  event: { message: event, parse: parseEvent },
  controlOrder: { message: control, parse: parseControlOrder },
};

describe('message builders and parsers', () => {
  it('round-trips a request, resolving its id from the header, else the messageId', () => {
    expect(request).toMatchObject({
      exchange: 't.requests',
      routingKey: 'product/raw',
      options: { persistent: true, replyTo: 'my-replies' },
    });
    const value = parseRequestOk(delivered(request));
    expect(value).toMatchObject({
      requestId: 'r-1',
      contentType: 'product/raw',
      owner: 'ann',
      replyTo: 'my-replies',
      body: Buffer.from('payload'),
    });
    expect(
      parseRequestOk(
        delivered(request, {
          headers: { [HEADERS.requestId]: undefined },
          properties: { messageId: 'm-9' },
        }),
      ).requestId,
    ).toBe('m-9');
    expect(
      parseRequestOk(
        delivered(request, {
          headers: { [HEADERS.requestId]: undefined },
          properties: { messageId: undefined },
        }),
      ).requestId,
    ).toBeUndefined();
  });

  it('round-trips a job with its metadata and meta headers', () => {
    expect(job).toMatchObject({ exchange: 't.jobs', routingKey: 'file-mover' });
    const result = parseJob(delivered(job, { headers: { [HEADERS.deliveryCount]: 3 } }));
    expect(result.ok && result.value).toMatchObject({
      requestId: 'r-1',
      attempt: 2,
      step: 0,
      workflow: 'product/ingest',
      tenant: 'acme',
      correlationId: 'c-1',
      meta: { 'wm-meta-origin': 'ftp', 'wm-meta-checksum': 'abc' },
      deliveryCount: 3,
      messageId: 'r-1#2',
    });
  });

  it('round-trips a response and routes it by status and type', () => {
    expect(response.routingKey).toBe('success.file-mover');
    const result = parseResponse(delivered(response));
    expect(result.ok && result.value).toMatchObject({
      status: 'SUCCESS',
      attempt: 2,
      contentType: 'product/stored',
      meta: { 'wm-meta-size': '12' },
    });
    const error = buildResponse(names, {
      requestId: 'r',
      attempt: 1,
      status: 'ERROR',
      workerType: 'x',
      workerId: 'w',
      messages: ['disk full'],
      retryable: true,
      body: Buffer.from('dropped'),
    });
    expect(error.content.length).toBe(0);
    expect(parseResponse(delivered(error)).ok && parseResponse(delivered(error))).toMatchObject({
      value: { messages: ['disk full'], retryable: true },
    });
  });

  it('round-trips events, heartbeats and control orders', () => {
    expect(event.routingKey).toBe('success.product/ingest');
    expect(parseEvent(delivered(event))).toMatchObject({
      ok: true,
      value: {
        state: 'SUCCESS',
        contentType: 'product/described',
        requestContentType: 'product/ingest',
        step: 1,
      },
    });
    expect(heartbeat.routingKey).toBe('heartbeat.file-mover');
    expect(parseWorkerMessage(delivered(heartbeat))).toMatchObject({
      ok: true,
      value: { kind: 'heartbeat', body: { inFlight: 2, cpu: 12.5 } },
    });
    expect(control.options.headers).toEqual({
      [HEADERS.controlTarget]: 'type',
      [HEADERS.workerType]: 'file-mover',
      [HEADERS.requestId]: 'r-1',
    });
    expect(parseControlOrder(delivered(control))).toMatchObject({
      ok: true,
      value: { order: 'cancel', requestId: 'r-1' },
    });
  });

  describe.each(
    MESSAGE_SPECS.filter((spec) => spec.required.length > 0 && spec.name in parsers).map(
      (spec) => [spec.name, spec] as const,
    ),
  )('%s', (name, spec) => {
    const { message, parse } = parsers[name]!;
    it.each(
      spec.required
        .filter((field) => field.name in message.options.headers)
        .map((field) => [field.name]),
    )('is refused without %s', (header) => {
      expect(issues(parse(delivered(message, { headers: { [header]: undefined } })))).toContain(
        `headers.${header}: is required`,
      );
    });

    // With the test above: the required headers of the spec (and of contract/messages.md) are
    // exactly the ones the parser insists on, no fewer and no more.
    it('is accepted with its required headers alone', () => {
      const required = new Set(spec.required.map((field) => field.name));
      const alone = Object.fromEntries(
        Object.keys(message.options.headers).map((name) => [
          name,
          required.has(name) ? message.options.headers[name] : undefined,
        ]),
      );
      expect(parse(delivered(message, { headers: alone }))).toMatchObject({ ok: true });
    });
  });

  it('refuses wrong types, with every problem listed', () => {
    const found = issues(
      parseJob(
        delivered(job, {
          headers: {
            [HEADERS.attempt]: 'two',
            [HEADERS.step]: -1,
            [HEADERS.workerType]: 'Bad Type',
          },
        }),
      ),
    );
    expect(found).toEqual([
      'headers.wm-attempt: must be an integer, got string "two"',
      'headers.wm-worker-type: "Bad Type" does not match ^[a-z0-9][a-z0-9_-]{0,127}$',
      'headers.wm-step: must be at least 0, got -1',
    ]);
    expect(
      issues(
        parseResponse(
          delivered(response, {
            headers: {
              [HEADERS.status]: 'DONE',
              [HEADERS.retryable]: 'maybe',
              [HEADERS.messages]: 'text',
            },
          }),
        ),
      ),
    ).toEqual(
      expect.arrayContaining([
        'headers.wm-status: must be one of RUNNING, PROGRESS, SUCCESS, ERROR, INVALID_CONTENT, got "DONE"',
        'headers.wm-retryable: must be a boolean, got string "maybe"',
        'headers.wm-messages: must be an array of strings, got string "text"',
      ]),
    );
    expect(
      issues(
        parseResponse(
          delivered(response, {
            headers: { [HEADERS.status]: 'PROGRESS' },
            content: Buffer.alloc(0),
          }),
        ),
      ),
    ).toEqual(['headers.wm-progress: is required']);
    expect(
      issues(parseResponse(delivered(response, { headers: { [HEADERS.status]: 'ERROR' } }))),
    ).toEqual(['body: must be empty on ERROR (only SUCCESS carries a payload)']);
    expect(
      issues(
        parseResponse(
          delivered(response, {
            headers: { [HEADERS.status]: 'PROGRESS', [HEADERS.progress]: 101 },
            content: Buffer.alloc(0),
          }),
        ),
      ),
    ).toEqual(['headers.wm-progress: must be at most 100, got 101']);
  });

  it('accepts numbers and booleans sent as strings by other languages', () => {
    const result = parseResponse(
      delivered(response, {
        headers: {
          [HEADERS.attempt]: '2',
          [HEADERS.retryable]: 'false',
          [HEADERS.requestId]: Buffer.from('r-1'),
        },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      value: { attempt: 2, retryable: false, requestId: 'r-1' },
    });
  });

  it('refuses oversized values', () => {
    expect(
      issues(
        parseRequest(delivered(request, { headers: { [HEADERS.requestId]: 'x'.repeat(129) } })),
      ),
    ).toEqual(['headers.wm-request-id: is longer than 128 characters (129)']);
    expect(
      issues(
        parseRequest(
          delivered(request, {
            headers: { [HEADERS.requestId]: undefined },
            properties: { messageId: 'm'.repeat(200) },
          }),
        ),
      ),
    ).toEqual(['messageId: is used as the request id and is longer than 128 characters']);
    expect(
      issues(parseRequest(delivered(request, { headers: { [HEADERS.tenant]: 't'.repeat(300) } }))),
    ).toEqual(['headers.wm-tenant: is longer than 255 characters (300)']);
    expect(
      issues(
        parseResponse(
          delivered(response, {
            headers: { [HEADERS.messages]: Array.from({ length: MAX_MESSAGES + 1 }, () => 'm') },
          }),
        ),
      ),
    ).toEqual([`headers.wm-messages: has more than ${MAX_MESSAGES} entries (${MAX_MESSAGES + 1})`]);
    expect(
      issues(parseJob(delivered(job, { headers: { 'wm-meta-big': 'x'.repeat(5000) } }))),
    ).toEqual(['headers.wm-meta-big: is longer than 4096 characters']);
    expect(
      issues(
        parseRequest(delivered(request, { headers: { [HEADERS.contentType]: 'product/#' } })),
      )[0],
    ).toMatch(/^headers.wm-content-type: "product\/#" does not match/);
  });

  it('refuses JSON bodies that are not JSON, not objects or not valid', () => {
    expect(
      issues(parseWorkerMessage(delivered(heartbeat, { content: Buffer.from('{nope') })))[0],
    ).toMatch(/^body: is not JSON/);
    expect(
      issues(parseWorkerMessage(delivered(heartbeat, { content: Buffer.from('[1]') }))),
    ).toEqual(['body: must be a JSON object']);
    expect(
      issues(
        parseWorkerMessage(
          delivered(heartbeat, {
            content: Buffer.from(
              JSON.stringify({ id: 'w', type: 'file-mover', status: 'sleeping', inFlight: -1 }),
            ),
          }),
        ),
      ),
    ).toEqual(
      expect.arrayContaining([
        'body.status: must be one of the following values: ready, draining',
        'body.inFlight: must not be less than 0',
      ]),
    );
    expect(
      issues(parseWorkerMessage(delivered(heartbeat, { routingKey: 'heartbeat.other' }))),
    ).toEqual(['body.type: "file-mover" differs from the routing key\'s type "other"']);
    expect(
      issues(parseWorkerMessage(delivered(heartbeat, { routingKey: 'hello.file-mover' })))[0],
    ).toMatch(/^routingKey: /);
    expect(
      issues(
        parseControlOrder(delivered(control, { content: Buffer.from('{"order":"explode"}') })),
      )[0],
    ).toMatch(/^body.order: /);
    expect(
      issues(parseWorkerMessage(delivered(heartbeat, { content: Buffer.alloc(300 * 1024, 32) }))),
    ).toEqual(['body: is larger than 262144 bytes']);
  });

  it('keeps the identity of an invalid request so it can be answered', () => {
    const broken = delivered(request, {
      headers: { [HEADERS.contentType]: undefined },
      properties: { correlationId: 'c-7' },
    });
    expect(parseRequest(broken).ok).toBe(false);
    expect(requestIdentity(broken)).toEqual({
      requestId: 'r-1',
      correlationId: 'c-7',
      replyTo: 'my-replies',
      contentType: undefined,
    });
  });

  it('reads why a job was dead-lettered', () => {
    const dead = delivered(job, {
      routingKey: 'file-mover',
      headers: {
        'x-first-death-reason': 'delivery_limit',
        'x-first-death-queue': 't.worker.file-mover',
      },
    });
    expect(readDeadLetter(dead)).toMatchObject({
      reason: 'delivery_limit',
      queue: 't.worker.file-mover',
      isJob: true,
    });
    expect(readDeadLetter(delivered(request, { routingKey: 'manager.requests' })).isJob).toBe(
      false,
    );
  });
});

function parseRequestOk(message: IncomingMessage) {
  const result = parseRequest(message);
  if (!result.ok) throw result.error;
  return result.value;
}
