import { connect } from 'amqplib';
import { buildRequest, HEADERS, type RequestInput } from '@org/protocol';
import { eventOf, header, inState, statesOf, useTestNamespace } from '@org/testkit';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';

const config = {
  workers: [
    { type: 'sched', contentTypes: ['text/sched'] },
    { type: 'late', contentTypes: ['text/late'] },
  ],
};

describe('schedules, deadlines and notifications (design 5.1)', () => {
  const ns = useTestNamespace();

  async function publisher() {
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createConfirmChannel();
    return async (input: RequestInput) => {
      const message = buildRequest(ns().names, input);
      channel.publish(message.exchange, message.routingKey, message.content, message.options);
      await channel.waitForConfirms();
    };
  }

  it('holds a wm-not-before request SCHEDULED and dispatches it only after its time', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    const received: Array<{ id: string; at: number }> = [];
    await startTestWorker(
      ns(),
      {
        type: 'sched',
        handler: (job) => {
          received.push({ id: job.requestId, at: Date.now() });
          return { status: 'SUCCESS', body: Buffer.alloc(0) };
        },
      },
      [manager],
    );
    const publish = await publisher();
    const notBefore = Date.now() + 2000;
    await publish({
      requestId: 'later',
      contentType: 'text/sched',
      body: Buffer.from('x'),
      notBefore,
    });
    await publish({ requestId: 'now', contentType: 'text/sched', body: Buffer.from('y') });
    const scheduled = await events.first(eventOf('later', 'SCHEDULED'));
    expect(header(scheduled, HEADERS.messages)).toEqual([
      `the request is scheduled for ${new Date(notBefore).toISOString()}`,
    ]);
    expect((await rowOf(db, 'later'))?.state).toBe('SCHEDULED');
    await events.first(eventOf('now', 'SUCCESS'));
    await events.first(eventOf('later', 'SUCCESS'), 10_000);
    expect(received.map((entry) => entry.id)).toEqual(['now', 'later']);
    expect(received[1]!.at).toBeGreaterThanOrEqual(notBefore);
    expect(statesOf(events, 'later')).toEqual(['SCHEDULED', 'SUCCESS']);
  });

  it('ends a request ERROR "deadline passed" when no worker started it in time; the handler never runs', async () => {
    const { manager, events } = await startObservedManager(ns(), config);
    const publish = await publisher();
    await publish({
      requestId: 'too-late',
      contentType: 'text/late',
      body: Buffer.from('x'),
      deadline: Date.now() + 800,
    });
    const error = await events.first(eventOf('too-late', 'ERROR'), 10_000);
    expect(String(header(error, HEADERS.messages))).toMatch(
      /^deadline passed: no worker started the request by /,
    );
    const worker = await startTestWorker(ns(), { type: 'late' }, [manager]);
    await publish({ requestId: 'on-time', contentType: 'text/late', body: Buffer.from('y') });
    await events.first(eventOf('on-time', 'SUCCESS'));
    expect(worker.jobsFor('too-late')).toEqual([]);
    expect(statesOf(events, 'too-late')).toEqual(['DELAYED', 'ERROR']);
  });

  it('refuses a deadline already passed as SKIPPED with the reason', async () => {
    const { events } = await startObservedManager(ns(), config);
    const publish = await publisher();
    await publish({
      requestId: 'past',
      contentType: 'text/sched',
      body: Buffer.from('x'),
      deadline: Date.now() - 1000,
    });
    const skipped = await events.first(eventOf('past', 'SKIPPED'));
    expect(String(header(skipped, HEADERS.messages))).toMatch(/^deadline passed/);
  });

  it('answers SKIPPED with every reason for malformed scheduling headers', async () => {
    const { events } = await startObservedManager(ns(), config);
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createConfirmChannel();
    const message = buildRequest(ns().names, {
      requestId: 'bad-headers',
      contentType: 'text/sched',
      body: Buffer.from('x'),
    });
    channel.publish(message.exchange, message.routingKey, message.content, {
      ...message.options,
      headers: {
        ...message.options.headers,
        [HEADERS.priority]: 12,
        [HEADERS.notBefore]: 'tomorrow',
        [HEADERS.notify]: 'sometimes',
      },
    });
    await channel.waitForConfirms();
    const skipped = await events.first(eventOf('bad-headers', 'SKIPPED'));
    const messages = header(skipped, HEADERS.messages) as string[];
    expect(messages).toEqual([
      'headers.wm-priority: must be at most 9, got 12',
      expect.stringMatching(/^headers\.wm-not-before: must be an ISO 8601 time/),
      'headers.wm-notify: must be one of all, terminal, none, got "sometimes"',
    ]);
  });

  it('sends a wm-notify: terminal requester only its terminal event', async () => {
    const { manager, events } = await startObservedManager(ns(), config);
    await startTestWorker(ns(), { type: 'sched', sendRunning: true, sendProgress: 50 }, [manager]);
    const publish = await publisher();
    await publish({
      requestId: 'quiet',
      contentType: 'text/sched',
      body: Buffer.from('x'),
      notify: 'terminal',
    });
    await publish({ requestId: 'chatty', contentType: 'text/sched', body: Buffer.from('x') });
    await events.first(eventOf('chatty', 'SUCCESS'));
    await events.first(eventOf('quiet', 'SUCCESS'));
    await events.waitFor(
      1,
      (message) =>
        header(message, HEADERS.state) === 'SUCCESS' &&
        header(message, HEADERS.requestId) === 'chatty',
    );
    expect(statesOf(events, 'quiet')).toEqual(['SUCCESS']);
    expect(statesOf(events, 'chatty')).toEqual(['GRANTED', 'RUNNING', 'PROGRESS', 'SUCCESS']);
    expect(events.matching(inState('SUCCESS'))).toHaveLength(2);
  });
});
