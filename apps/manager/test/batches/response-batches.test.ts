import { BATCH_CONTENT_TYPE, buildResponseBatch, HEADERS } from '@org/protocol';
import {
  eventOf,
  header,
  MessageCollector,
  publishRequestBatch,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { MessageParking } from '../../src/messaging/message-parking';
import { RequestCounters } from '../../src/requests/request-counters';
import { startObservedManager, startTestWorker } from '../support/harness';

const CONFIG = {
  workers: [
    { type: 'first', contentTypes: [] },
    { type: 'second', contentTypes: [] },
  ],
  workflows: [{ type: 'two/steps', steps: ['first', 'second'] }],
};

describe('response batches (design 5.2)', () => {
  const ns = useTestNamespace('rb');

  it('applies a response batch once: delivered again after it was applied (a manager that died before its ack), no request moves twice', async () => {
    const { manager, events } = await startObservedManager(ns(), CONFIG);
    const first = await startTestWorker(
      ns(),
      { type: 'first', concurrency: 25, batch: 50, handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    const second = await startTestWorker(
      ns(),
      { type: 'second', concurrency: 25, batch: 50, respondInBatches: true },
      [manager],
    );
    const ids = Array.from({ length: 50 }, (_, index) => `rb-${index}`);
    await publishRequestBatch(
      ns(),
      ids.map((id) => ({ requestId: id, contentType: 'two/steps', body: Buffer.from(id) })),
    );
    await waitFor(() => first.jobs.length === ids.length, { what: 'step 1 jobs held' });

    // Step 1 answered by one response batch, published twice: as the broker would redeliver it
    // to a manager restarted after it committed the batch but before it acknowledged it.
    const batch = buildResponseBatch(
      ns().names,
      first.jobs.map((job) => ({
        workerType: 'first',
        workerId: first.id,
        requestId: job.requestId,
        attempt: job.attempt,
        step: job.step,
        status: 'SUCCESS' as const,
        body: Buffer.from(`${job.requestId}:1`),
      })),
    );
    expect(batch.options.contentType).toBe(BATCH_CONTENT_TYPE);
    const counters = manager.app.get(RequestCounters);
    const confirm = await ns().connection.createConfirmChannel();
    ns().defer(() => confirm.close());
    confirm.publish(batch.exchange, batch.routingKey, batch.content, batch.options);
    await confirm.waitForConfirms();
    await events.waitFor(ids.length, (m) => header(m, HEADERS.state) === 'SUCCESS');
    const droppedBefore = counters.droppedTotal();
    confirm.publish(batch.exchange, batch.routingKey, batch.content, batch.options);
    await confirm.waitForConfirms();
    await waitFor(() => counters.droppedTotal() === droppedBefore + ids.length, {
      what: 'the second copy dropped item by item',
    });

    for (const id of ids) {
      expect(second.jobsFor(id)).toHaveLength(1);
      expect(second.jobsFor(id)[0]!.body.toString()).toBe(`${id}:1`);
      expect(events.matching(eventOf(id, 'SUCCESS'))).toHaveLength(1);
    }
    // The second step answered in response batches, each applied.
    expect(second.messageSizes.some((size) => size > 1)).toBe(true);
  });

  it('parks a response batch whose frame is malformed, counted as malformed_batch; the requests it may have been about are untouched', async () => {
    const { manager } = await startObservedManager(ns(), CONFIG);
    const parked = await MessageCollector.fromQueue(ns().channel, ns().names.queues.parked);
    const truncated = Buffer.from([0, 0, 0, 9, 0x7b]);
    ns().channel.publish(ns().names.exchanges.responses, 'success.first', truncated, {
      persistent: true,
      contentType: BATCH_CONTENT_TYPE,
      headers: { [HEADERS.batch]: 2, [HEADERS.workerType]: 'first' },
    });
    const [message] = await parked.waitFor(1);
    expect(header(message!, HEADERS.parkedFrom)).toBe(ns().names.queues.managerResponses);
    expect(String(header(message!, HEADERS.parkReasons))).toMatch(/frame|length|end/i);
    expect(message!.content.equals(truncated)).toBe(true);
    // Counted once the parked copy is confirmed, which may be just after it reached the queue.
    await waitFor(() => manager.app.get(MessageParking).parked.malformed_batch === 1, {
      what: 'the malformed batch counted',
    });
  });
});
