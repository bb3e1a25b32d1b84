import {
  BATCH_CONTENT_TYPE,
  buildRequest,
  encodeFrame,
  frameItemOf,
  HEADERS,
  parseEventBatch,
  type RequestInput,
} from '@org/protocol';
import {
  eventOf,
  header,
  MessageCollector,
  publishRequest,
  publishRequestBatch,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { MessageParking } from '../../src/messaging/message-parking';
import { startObservedManager, startTestWorker } from '../support/harness';

const CONFIG = { workers: [{ type: 'framed', contentTypes: ['framed/x'] }] };
const BATCH_LIMIT = 64 * 1024;

function request(id: string, extra: Partial<RequestInput> = {}): RequestInput {
  return { requestId: id, contentType: 'framed/x', body: Buffer.from(id), ...extra };
}

describe('request batches and event batches (design 5.2)', () => {
  const ns = useTestNamespace('ib');

  it('answers a malformed item SKIPPED alone, parks a malformed frame and an oversize batch whole with the reason, and healthy traffic flows', async () => {
    const { manager, events } = await startObservedManager(ns(), CONFIG, {
      maxBatchBytes: BATCH_LIMIT,
    });
    await startTestWorker(ns(), { type: 'framed', concurrency: 10 }, [manager]);
    const parked = await MessageCollector.fromQueue(ns().channel, ns().names.queues.parked);

    // One item without wm-content-type among 30 good ones.
    const good = Array.from({ length: 30 }, (_, index) => `good-${index}`);
    const items = good.map((id) => frameItemOf(buildRequest(ns().names, request(id))));
    const bad = frameItemOf(buildRequest(ns().names, request('bad-item')));
    const badHeader = { ...bad.header };
    delete badHeader[HEADERS.contentType];
    items.splice(10, 0, { header: badHeader, body: bad.body });
    publishFrame(encodeFrame(items), items.length);

    // A frame whose second length points past the end.
    const broken = Buffer.alloc(12);
    broken.writeUInt32BE(2, 0);
    broken.write('{}', 4);
    broken.writeUInt32BE(1_000_000, 6);
    publishFrame(broken, 1);

    // A well-formed batch over the manager's WM_MAX_BATCH_BYTES.
    const oversize = Array.from({ length: 100 }, (_, index) =>
      request(`big-${index}`, { body: Buffer.alloc(1024, 1) }),
    );
    const sizes = await publishRequestBatch(ns(), oversize, { maxBytes: 4 * BATCH_LIMIT });
    expect(sizes).toEqual([100]);

    // Healthy traffic after all of it.
    publishRequest(ns(), request('after'));

    await events.waitFor(good.length + 1, (m) => header(m, HEADERS.state) === 'SUCCESS');
    const skipped = await events.first(eventOf('bad-item', 'SKIPPED'));
    expect(String(header(skipped, HEADERS.messages))).toContain('wm-content-type');
    await parked.waitFor(2);
    const reasons = parked.messages.map((m) => String(header(m, HEADERS.parkReasons)));
    expect(reasons.some((reason) => /past the end|length/i.test(reason))).toBe(true);
    expect(
      reasons.some((reason) => reason.includes(`over the limit of ${BATCH_LIMIT} bytes`)),
    ).toBe(true);
    for (const message of parked.messages) {
      expect(header(message, HEADERS.parkedFrom)).toBe(ns().names.queues.managerRequests);
    }
    // Counted once each parked copy is confirmed, which may be just after it reached the queue.
    await waitFor(() => manager.app.get(MessageParking).parkedRequestBatches === 2, {
      what: 'both malformed batches counted',
    });
    // Nothing of the oversize batch was recorded.
    expect(events.matching((m) => String(header(m, HEADERS.requestId)).startsWith('big-'))).toEqual(
      [],
    );
  });

  it('sends a wm-accept-batch requester its events as event batches on its replyTo queue, the topic single events', async () => {
    const { manager, events } = await startObservedManager(ns(), CONFIG);
    const { queue } = await ns().channel.assertQueue('', { exclusive: true });
    const replies = await MessageCollector.fromQueue(ns().channel, queue);
    const ids = Array.from({ length: 60 }, (_, index) => `eb-${index}`);
    await publishRequestBatch(
      ns(),
      ids.map((id) => request(id, { replyTo: queue, acceptBatch: true })),
    );
    // The worker starts after the requests wait: their events come out together.
    await startTestWorker(ns(), { type: 'framed', concurrency: 50, batch: 50 }, [manager]);
    await events.waitFor(ids.length, (m) => header(m, HEADERS.state) === 'SUCCESS');
    expect(events.messages.every((m) => m.properties.contentType !== BATCH_CONTENT_TYPE)).toBe(
      true,
    );

    const replied = new Map<string, string[]>();
    await waitFor(
      () => {
        replied.clear();
        for (const message of replies.messages) {
          const frame = message.properties.contentType === BATCH_CONTENT_TYPE;
          const items = frame ? parseEventBatch(message) : undefined;
          if (items && !items.ok) throw items.error;
          const singles = items?.ok
            ? items.value.map((item) => item.message)
            : [message as { properties: { headers?: Record<string, unknown> } }];
          for (const single of singles) {
            const headers = single.properties.headers ?? {};
            const id = String(headers[HEADERS.requestId]);
            replied.set(id, [...(replied.get(id) ?? []), String(headers[HEADERS.state])]);
          }
        }
        return ids.every((id) => replied.get(id)?.includes('SUCCESS'));
      },
      { what: 'a SUCCESS for every request on the replyTo queue' },
    );
    for (const id of ids) expect(replied.get(id)?.filter((s) => s === 'SUCCESS')).toHaveLength(1);
    const batches = replies.messages.filter((m) => m.properties.contentType === BATCH_CONTENT_TYPE);
    expect(batches.length).toBeGreaterThan(0);
    // Fewer messages than events: the batches carried several each.
    const delivered = [...replied.values()].reduce((sum, states) => sum + states.length, 0);
    expect(replies.messages.length).toBeLessThan(delivered);
  });

  function publishFrame(content: Buffer, count: number): void {
    ns().channel.publish(ns().names.exchanges.requests, 'framed/x', content, {
      persistent: true,
      contentType: BATCH_CONTENT_TYPE,
      headers: { [HEADERS.batch]: count },
    });
  }
});
