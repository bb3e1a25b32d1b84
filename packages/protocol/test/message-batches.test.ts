import {
  BATCH_CONTENT_TYPE,
  batchMessages,
  buildEvent,
  buildEventBatch,
  buildJob,
  buildJobBatch,
  buildJobBatches,
  buildRequest,
  buildRequestBatch,
  buildRequestBatches,
  buildResponse,
  buildResponseBatch,
  HEADERS,
  isBatch,
  namesFor,
  parseEvent,
  parseEventBatch,
  parseJob,
  parseJobBatch,
  parseRequest,
  parseRequestBatch,
  parseResponse,
  parseResponseBatch,
  requestIdentity,
  type BatchItem,
  type IncomingMessage,
  type JobInput,
  type OutgoingMessage,
  type ParseResult,
} from '../src/index';

const names = namesFor('t');

function delivered(
  message: OutgoingMessage,
  extra: { headers?: Record<string, unknown>; redelivered?: boolean } = {},
): IncomingMessage {
  return {
    content: message.content,
    fields: {
      exchange: message.exchange,
      routingKey: message.routingKey,
      redelivered: extra.redelivered ?? false,
    },
    properties: { ...message.options, headers: { ...message.options.headers, ...extra.headers } },
  };
}

function items<T>(result: ParseResult<readonly BatchItem<T>[]>): readonly BatchItem<T>[] {
  if (!result.ok) throw result.error;
  return result.value;
}

function values<T>(result: ParseResult<readonly BatchItem<T>[]>): T[] {
  return items(result).map((item) => {
    if (!item.parsed.ok) throw item.parsed.error;
    return item.parsed.value;
  });
}

function problems<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected a refusal');
  return result.error.messages();
}

/** What the single parser makes of the message a single builder makes: the reference. */
function single<T>(message: OutgoingMessage, parse: (m: IncomingMessage) => ParseResult<T>): T {
  const result = parse(delivered(message));
  if (!result.ok) throw result.error;
  return result.value;
}

const job = (requestId: string, extra: Partial<JobInput> = {}): JobInput => ({
  requestId,
  attempt: 2,
  workerType: 'file-mover',
  contentType: 'product/raw',
  step: 1,
  stepId: 'move',
  workflow: 'product/ingest',
  deadline: 1_900_000_000_000,
  messageId: `${requestId}#2`,
  correlationId: requestId,
  mimeType: 'application/json',
  tenant: 'acme',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  meta: { origin: 'scanner-7', 'wm-meta-déjà': 'vu ✓' },
  body: Buffer.from(`{"id":"${requestId}"}`),
  ...extra,
});

describe('job batches', () => {
  it('round-trips every field of every job exactly as the single-message parser reads it', () => {
    const inputs = [
      job('a'),
      job('b', { body: Buffer.alloc(0) }),
      job('c', { step: 0, stepId: undefined }),
    ];
    const batch = buildJobBatch(names, inputs);
    expect(batch).toMatchObject({ exchange: names.exchanges.jobs, routingKey: 'file-mover' });
    expect(batch.options).toMatchObject({
      persistent: true,
      contentType: BATCH_CONTENT_TYPE,
      headers: { [HEADERS.batch]: 3, [HEADERS.workerType]: 'file-mover' },
    });
    expect(isBatch(delivered(batch))).toBe(true);
    const parsed = values(parseJobBatch(delivered(batch)));
    expect(parsed).toEqual(inputs.map((input) => single(buildJob(names, input), parseJob)));
  });

  it('gives each item the delivery of the batch message (redelivered, x-delivery-count)', () => {
    const batch = buildJobBatch(names, [job('a'), job('b')]);
    const parsed = values(
      parseJobBatch(
        delivered(batch, { redelivered: true, headers: { [HEADERS.deliveryCount]: 2 } }),
      ),
    );
    expect(parsed.map((j) => [j.redelivered, j.deliveryCount])).toEqual([
      [true, 2],
      [true, 2],
    ]);
  });

  it('one malformed item fails alone, with its reasons; its identity stays readable', () => {
    const broken = buildJob(names, job('broken'));
    delete broken.options.headers[HEADERS.contentType];
    // A frame written from single messages: the builder itself never makes a broken job.
    const batch = buildJobBatch(names, [job('ok-1'), job('ok-2')]);
    const [mixed] = batchMessages(
      [buildJob(names, job('ok-1')), broken, buildJob(names, job('ok-2'))],
      () => ({ exchange: batch.exchange, routingKey: batch.routingKey }),
    );
    const result = items(parseJobBatch(delivered(mixed!.message)));
    expect(result.map((item) => item.parsed.ok)).toEqual([true, false, true]);
    expect(problems(result[1]!.parsed)).toEqual(['headers.wm-content-type: is required']);
    expect(result[1]!.message.properties.headers?.[HEADERS.requestId]).toBe('broken');
    expect(result[1]!.index).toBe(1);
  });

  it('splits what does not fit in one frame, in order, and the singular builder refuses', () => {
    const inputs = Array.from({ length: 7 }, (_, index) => job(`j${index}`));
    const batches = buildJobBatches(names, inputs, { maxItems: 3 });
    expect(batches.map((batch) => batch.count)).toEqual([3, 3, 1]);
    expect(batches.map((batch) => batch.message.options.headers[HEADERS.batch])).toEqual([3, 3, 1]);
    const ids = batches.flatMap((batch) =>
      values(parseJobBatch(delivered(batch.message), { maxItems: 3 })).map((j) => j.requestId),
    );
    expect(ids).toEqual(inputs.map((input) => input.requestId));
    expect(() => buildJobBatch(names, inputs, { maxItems: 3 })).toThrow(
      '7 items do not fit in one batch frame (item or byte limit); buildJobBatches() splits them',
    );
  });

  it('refuses jobs for different worker types', () => {
    expect(() => buildJobBatch(names, [job('a'), job('b', { workerType: 'other' })])).toThrow(
      'a job batch goes to one worker type',
    );
  });
});

describe('request batches', () => {
  const requests = [
    {
      requestId: 'r1',
      contentType: 'product/raw',
      body: Buffer.from('one'),
      replyTo: 'my-queue',
      priority: 7,
      notify: 'terminal' as const,
      acceptBatch: true,
    },
    {
      contentType: 'product/raw',
      body: Buffer.alloc(0),
      messageId: 'id-from-message',
      tenant: 'ünïcode',
    },
    {
      requestId: 'r3',
      contentType: 'product/raw',
      body: Buffer.from('three'),
      deadline: 1_900_000_000_000,
      parentId: 'p/0/1',
    },
  ];

  it('round-trips requests (replyTo, v2 options, a request id from the messageId) and routes by the common content type', () => {
    const batch = buildRequestBatch(names, requests);
    expect(batch).toMatchObject({ exchange: names.exchanges.requests, routingKey: 'product/raw' });
    const parsed = values(parseRequestBatch(delivered(batch)));
    expect(parsed.map((r) => r.requestId)).toEqual(['r1', 'id-from-message', 'r3']);
    expect(parsed[0]).toMatchObject({
      replyTo: 'my-queue',
      priority: 7,
      notify: 'terminal',
      acceptBatch: true,
    });
    expect(parsed[2]).toMatchObject({ deadline: 1_900_000_000_000, parentId: 'p/0/1' });
    const reference = single(
      buildRequest(names, { ...requests[1]!, messageId: 'id-from-message' }),
      parseRequest,
    );
    expect(parsed[1]).toEqual(reference);
  });

  it('uses "batch" as the routing key when the content types differ', () => {
    const batch = buildRequestBatch(names, [
      requests[0]!,
      { ...requests[2]!, contentType: 'other/type' },
    ]);
    expect(batch.routingKey).toBe('batch');
  });

  it('a request missing its content type fails alone, and requestIdentity still reads it', () => {
    const [good] = buildRequestBatches(names, [requests[0]!]);
    const broken = buildRequest(names, {
      requestId: 'r-bad',
      contentType: 'x/y',
      body: Buffer.from('x'),
    });
    delete broken.options.headers[HEADERS.contentType];
    const [batch] = batchMessages([buildRequest(names, requests[0]!), broken], () => ({
      exchange: good!.message.exchange,
      routingKey: 'batch',
    }));
    const result = items(parseRequestBatch(delivered(batch!.message)));
    expect(result[0]!.parsed.ok).toBe(true);
    expect(problems(result[1]!.parsed)).toEqual(['headers.wm-content-type: is required']);
    expect(requestIdentity(result[1]!.message)).toMatchObject({ requestId: 'r-bad' });
  });
});

describe('response batches', () => {
  const response = (requestId: string, status: 'SUCCESS' | 'ERROR' | 'RUNNING') => ({
    requestId,
    attempt: 3,
    status,
    workerType: 'file-mover',
    workerId: 'mover-1',
    step: 0,
    correlationId: requestId,
    ...(status === 'SUCCESS'
      ? {
          body: Buffer.from('out'),
          contentType: 'product/stored',
          mimeType: 'text/plain',
          meta: { size: '3' },
        }
      : status === 'ERROR'
        ? { messages: ['disk full', 'ünïcode ✓'], retryable: true }
        : {}),
  });

  it('round-trips, keyed <status>.<type> when the statuses agree and batch.<type> when they do not', () => {
    const same = buildResponseBatch(names, [response('a', 'SUCCESS'), response('b', 'SUCCESS')]);
    expect(same.routingKey).toBe('success.file-mover');
    expect(same.options.headers).toMatchObject({
      [HEADERS.workerId]: 'mover-1',
      [HEADERS.workerType]: 'file-mover',
    });
    const inputs = [response('a', 'RUNNING'), response('a', 'SUCCESS'), response('b', 'ERROR')];
    const mixed = buildResponseBatch(names, inputs);
    expect(mixed.routingKey).toBe('batch.file-mover');
    const parsed = values(parseResponseBatch(delivered(mixed)));
    expect(parsed.map(({ messageId: _m, ...rest }) => rest)).toEqual(
      inputs.map((input) => {
        const { messageId: _m, ...rest } = single(buildResponse(names, input), parseResponse);
        return rest;
      }),
    );
  });
});

describe('event batches', () => {
  it('go to the replyTo queue through the default exchange and round-trip', () => {
    const inputs = [
      { requestId: 'r1', state: 'GRANTED' as const, requestContentType: 'product/raw', attempt: 1 },
      {
        requestId: 'r1',
        state: 'SUCCESS' as const,
        requestContentType: 'product/raw',
        contentType: 'product/stored',
        body: Buffer.from('done'),
      },
    ];
    const batch = buildEventBatch(names, 'requester-queue', inputs);
    expect(batch).toMatchObject({ exchange: '', routingKey: 'requester-queue' });
    const parsed = values(parseEventBatch(delivered(batch)));
    expect(parsed.map((e) => [e.state, e.body.toString()])).toEqual([
      ['GRANTED', ''],
      ['SUCCESS', 'done'],
    ]);
    expect(parsed[1]).toEqual(single(buildEvent(names, inputs[1]!), parseEvent));
  });
});

describe('a batch envelope that is wrong is refused whole, with the reason', () => {
  const batch = buildJobBatch(names, [job('a'), job('b')]);

  it('not a batch content type', () => {
    expect(problems(parseJobBatch(delivered(buildJob(names, job('a')))))).toEqual([
      'contentType: must be application/vnd.wm.batch, got "application/json"',
    ]);
  });

  it('no wm-batch, or one out of range', () => {
    expect(
      problems(parseJobBatch(delivered(batch, { headers: { [HEADERS.batch]: undefined } }))),
    ).toEqual(['headers.wm-batch: is required']);
    expect(
      problems(parseJobBatch(delivered(batch, { headers: { [HEADERS.batch]: 1001 } }))),
    ).toEqual(['headers.wm-batch: must be at most 1000, got 1001']);
  });

  it('a count that differs from the frame, or a truncated frame', () => {
    expect(problems(parseJobBatch(delivered(batch, { headers: { [HEADERS.batch]: 3 } })))).toEqual([
      'body: the message announces 3 items (wm-batch) but the frame holds 2',
    ]);
    const truncated = {
      ...delivered(batch),
      content: batch.content.subarray(0, batch.content.length - 3),
    };
    expect(problems(parseJobBatch(truncated))[0]).toMatch(
      /^body: item 1: body length \d+ at offset \d+ runs past the end/,
    );
  });

  it('over the byte limit', () => {
    expect(problems(parseJobBatch(delivered(batch), { maxBytes: 100 }))).toEqual([
      `body: frame of ${batch.content.length} bytes is over the limit of 100 bytes`,
    ]);
  });
});
