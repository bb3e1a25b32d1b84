import {
  buildControlOrder,
  buildJob,
  buildRequest,
  buildWorkerMessage,
  childRequestId,
  HEADERS,
  MAX_REQUEST_ID_LENGTH,
  namesFor,
  notifies,
  parseControlOrder,
  parseDuration,
  parseJob,
  parseRequest,
  parseTime,
  parseWorkerMessage,
  type IncomingMessage,
  type OutgoingMessage,
  type ParseResult,
} from '../src/index';

const names = namesFor('t');

function delivered(
  message: OutgoingMessage,
  headers: Record<string, unknown> = {},
  properties: Record<string, unknown> = {},
): IncomingMessage {
  return {
    content: message.content,
    fields: { routingKey: message.routingKey, exchange: message.exchange, redelivered: false },
    properties: {
      ...message.options,
      ...properties,
      headers: { ...message.options.headers, ...headers },
    },
  };
}

function issues<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected the message to be refused');
  return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

const request = buildRequest(names, { contentType: 'product/raw', body: Buffer.from('x') });

describe('v2 request headers', () => {
  it('round-trips priority, schedule, deadline, notify, batch acceptance and parent', () => {
    const built = buildRequest(names, {
      contentType: 'product/raw',
      body: Buffer.from('x'),
      priority: 7,
      notBefore: 1_800_000_000_000,
      deadline: 1_800_000_060_000,
      notify: 'terminal',
      acceptBatch: true,
      parentId: 'parent-1',
    });
    const parsed = parseRequest(delivered(built));
    expect(parsed.ok && parsed.value).toMatchObject({
      priority: 7,
      notBefore: 1_800_000_000_000,
      deadline: 1_800_000_060_000,
      notify: 'terminal',
      acceptBatch: true,
      parentId: 'parent-1',
    });
  });

  it('reads ISO 8601 times with a zone, and epoch milliseconds as numbers or strings', () => {
    const parsed = parseRequest(
      delivered(request, {
        [HEADERS.notBefore]: '2027-01-31T12:00:00.5+01:00',
        [HEADERS.deadline]: '1800000000000',
      }),
    );
    expect(parsed.ok && parsed.value.notBefore).toBe(Date.parse('2027-01-31T11:00:00.500Z'));
    expect(parsed.ok && parsed.value.deadline).toBe(1_800_000_000_000);
  });

  it.each([
    ['2027-01-31T12:00:00', 'no zone'],
    ['tomorrow', 'not a time'],
    [-5, 'negative'],
    [1.5, 'not an integer'],
    [true, 'a boolean'],
  ] as Array<[unknown, string]>)(
    'refuses %p as a time (%s) with the rule in the reason',
    (value) => {
      expect(issues(parseRequest(delivered(request, { [HEADERS.notBefore]: value })))).toEqual([
        expect.stringMatching(/^headers\.wm-not-before: must be an ISO 8601 time with a zone/),
      ]);
    },
  );

  it('refuses a priority out of 0–9 and an unknown notify mode, listing both', () => {
    expect(
      issues(
        parseRequest(delivered(request, { [HEADERS.priority]: 10, [HEADERS.notify]: 'some' })),
      ),
    ).toEqual([
      'headers.wm-priority: must be at most 9, got 10',
      'headers.wm-notify: must be one of all, terminal, none, got "some"',
    ]);
  });

  it('takes the AMQP priority property when the header is absent, capped at 9', () => {
    const low = parseRequest(delivered(request, {}, { priority: 3 }));
    const high = parseRequest(delivered(request, {}, { priority: 200 }));
    const both = parseRequest(delivered(request, { [HEADERS.priority]: 1 }, { priority: 5 }));
    expect(low.ok && low.value.priority).toBe(3);
    expect(high.ok && high.value.priority).toBe(9);
    expect(both.ok && both.value.priority).toBe(1);
  });

  it('a v1 request carries none of them', () => {
    const parsed = parseRequest(delivered(request));
    expect(parsed.ok && parsed.value).toMatchObject({
      priority: undefined,
      notBefore: undefined,
      deadline: undefined,
      notify: undefined,
    });
  });
});

describe('v2 job, control and heartbeat fields', () => {
  it('carries the job deadline and step id', () => {
    const job = buildJob(names, {
      requestId: 'r',
      attempt: 1,
      workerType: 'w',
      contentType: 'c/t',
      step: 1,
      stepId: 'describe',
      deadline: 1_800_000_000_000,
      messageId: 'r#1',
      body: Buffer.alloc(0),
    });
    const parsed = parseJob(delivered(job));
    expect(parsed.ok && parsed.value).toMatchObject({
      stepId: 'describe',
      deadline: 1_800_000_000_000,
    });
    expect(issues(parseJob(delivered(job, { [HEADERS.stepId]: 'Bad Id' })))).toEqual([
      expect.stringMatching(/^headers\.wm-step-id: "Bad Id" does not match/),
    ]);
  });

  it('a cancel order may name the attempt to skip', () => {
    const order = buildControlOrder(
      names,
      { target: 'type', workerType: 'w' },
      { order: 'cancel', requestId: 'r', attempt: 3, reason: 'cancelled' },
    );
    const parsed = parseControlOrder(delivered(order));
    expect(parsed.ok && parsed.value).toMatchObject({
      order: 'cancel',
      requestId: 'r',
      attempt: 3,
    });
  });

  it('heartbeats may advertise a batch size of at least 2', () => {
    const beat = (batch: number) =>
      parseWorkerMessage(
        delivered(
          buildWorkerMessage(names, 'heartbeat', { id: 'i-1', type: 'w', status: 'ready', batch }),
        ),
      );
    const ok = beat(50);
    expect(ok.ok && ok.value.body.batch).toBe(50);
    expect(beat(1).ok).toBe(false);
    expect(beat(1001).ok).toBe(false);
  });
});

describe('helpers', () => {
  it('parseTime accepts what the headers accept', () => {
    expect(parseTime(0)).toBe(0);
    expect(parseTime('2027-01-31T12:00Z')).toBe(Date.parse('2027-01-31T12:00:00Z'));
    expect(parseTime('2027-01-31')).toBeUndefined();
    expect(parseTime(Buffer.from('1800000000000'))).toBe(1_800_000_000_000);
  });

  it('child ids are deterministic, distinct per step and index, and within the id limit', () => {
    expect(childRequestId('p-1', 0, 0)).toBe('p-1/0/0');
    expect(childRequestId('p-1', 0, 0)).toBe(childRequestId('p-1', 0, 0));
    expect(new Set([childRequestId('p', 0, 1), childRequestId('p', 1, 0)]).size).toBe(2);
    const long = childRequestId('x'.repeat(MAX_REQUEST_ID_LENGTH), 3, 12);
    expect(long.length).toBeLessThanOrEqual(MAX_REQUEST_ID_LENGTH);
    expect(long).toMatch(/^~[0-9a-f]{40}\/3\/12$/);
    expect(childRequestId('y'.repeat(MAX_REQUEST_ID_LENGTH), 3, 12)).not.toBe(long);
  });

  it('parseDuration reads milliseconds and one-unit strings', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1h30m')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('notify modes filter events', () => {
    expect(notifies('all', 'RUNNING')).toBe(true);
    expect(notifies('terminal', 'RUNNING')).toBe(false);
    expect(notifies('terminal', 'SKIPPED')).toBe(true);
    expect(notifies('none', 'SUCCESS')).toBe(false);
  });
});
