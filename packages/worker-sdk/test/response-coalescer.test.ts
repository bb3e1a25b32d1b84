import { type ConfirmPublisher, type PublishableMessage } from '@org/amqp-kit';
import {
  isBatch,
  MAX_BATCH_ITEMS,
  namesFor,
  parseResponse,
  parseResponseBatch,
  type ResponseInput,
} from '@org/protocol';
import { deferred, type Deferred } from '@org/testkit';
import { ResponseCoalescer } from '../src/runtime/response-coalescer';
import { RuntimeDiagnostics } from '../src/runtime/runtime-diagnostics';

const names = namesFor('t');

function fakePublisher() {
  const sent: Array<{ message: PublishableMessage; confirm: Deferred<void> }> = [];
  const publisher = {
    publish: (message: PublishableMessage) => {
      const confirm = deferred<void>();
      sent.push({ message, confirm });
      return confirm.promise;
    },
  } as unknown as ConfirmPublisher;
  return { publisher, sent };
}

const response = (
  requestId: string,
  status: ResponseInput['status'] = 'SUCCESS',
): ResponseInput => ({
  requestId,
  attempt: 1,
  status,
  workerType: 'w',
  workerId: 'w-1',
  body: status === 'SUCCESS' ? Buffer.from(requestId) : undefined,
});

/** The request ids a published message answers, in order. */
function idsOf(message: PublishableMessage): string[] {
  const delivered = {
    content: message.content,
    fields: { exchange: message.exchange, routingKey: message.routingKey, redelivered: false },
    properties: message.options,
  };
  if (!isBatch(delivered)) {
    const single = parseResponse(delivered);
    if (!single.ok) throw single.error;
    return [single.value.requestId];
  }
  const batch = parseResponseBatch(delivered);
  if (!batch.ok) throw batch.error;
  return batch.value.map((item) => (item.parsed.ok ? item.parsed.value.requestId : 'invalid'));
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResponseCoalescer', () => {
  it('sends what is ready in one turn of the event loop as one batch, without a timer', async () => {
    const { publisher, sent } = fakePublisher();
    const diagnostics = new RuntimeDiagnostics();
    const coalescer = new ResponseCoalescer(publisher, names, diagnostics);
    const done = ['a', 'b', 'c'].map((id) => coalescer.send(response(id), true));
    expect(sent).toHaveLength(0); // gathered until the end of this turn
    await nextTurn();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.message.options.contentType).toBe('application/vnd.wm.batch');
    expect(idsOf(sent[0]!.message)).toEqual(['a', 'b', 'c']);
    expect(diagnostics.snapshot()).toMatchObject({ responseBatches: 1, batchedResponses: 3 });
    // Each send resolves once the message carrying it is confirmed.
    let settled = 0;
    for (const promise of done) void promise.then(() => (settled += 1));
    await nextTurn();
    expect(settled).toBe(0);
    sent[0]!.confirm.resolve();
    await Promise.all(done);
  });

  it('sends a lone response at once as a plain message (no batch of one)', async () => {
    const { publisher, sent } = fakePublisher();
    const coalescer = new ResponseCoalescer(publisher, names, new RuntimeDiagnostics());
    const done = coalescer.send(response('alone'), true);
    await nextTurn();
    expect(sent).toHaveLength(1);
    expect(isBatch({ properties: sent[0]!.message.options })).toBe(false);
    expect(sent[0]!.message.routingKey).toBe('success.w');
    sent[0]!.confirm.resolve();
    await done;
  });

  it('publishes non-batchable responses (answers to v1 single jobs) immediately, alone', () => {
    const { publisher, sent } = fakePublisher();
    const coalescer = new ResponseCoalescer(publisher, names, new RuntimeDiagnostics());
    void coalescer.send(response('v1-a'), false);
    void coalescer.send(response('v1-b'), false);
    expect(sent.map((entry) => idsOf(entry.message))).toEqual([['v1-a'], ['v1-b']]);
  });

  it('keeps the order of one job’s answers and splits what exceeds a frame', async () => {
    const { publisher, sent } = fakePublisher();
    const coalescer = new ResponseCoalescer(publisher, names, new RuntimeDiagnostics());
    void coalescer.send(response('x', 'RUNNING'), true);
    for (let index = 0; index < MAX_BATCH_ITEMS + 5; index++)
      void coalescer.send(response(`r${index}`), true);
    void coalescer.send(response('x'), true);
    await nextTurn();
    expect(sent).toHaveLength(2);
    const ids = sent.flatMap((entry) => idsOf(entry.message));
    expect(ids).toHaveLength(MAX_BATCH_ITEMS + 7);
    expect(ids[0]).toBe('x');
    expect(ids[ids.length - 1]).toBe('x');
    expect(idsOf(sent[0]!.message)).toHaveLength(MAX_BATCH_ITEMS);
    expect(sent[0]!.message.routingKey).toBe('batch.w'); // RUNNING and SUCCESS mixed
  });

  it('rejects every response of a batch the broker did not confirm, and only those', async () => {
    const { publisher, sent } = fakePublisher();
    const coalescer = new ResponseCoalescer(publisher, names, new RuntimeDiagnostics(), {
      maxItems: 2,
    });
    const done = ['a', 'b', 'c'].map((id) => coalescer.send(response(id), true));
    await nextTurn();
    expect(sent.map((entry) => idsOf(entry.message))).toEqual([['a', 'b'], ['c']]);
    sent[0]!.confirm.reject(new Error('nacked'));
    sent[1]!.confirm.resolve();
    await expect(done[0]).rejects.toThrow('nacked');
    await expect(done[1]).rejects.toThrow('nacked');
    await expect(done[2]).resolves.toBeUndefined();
  });
});
