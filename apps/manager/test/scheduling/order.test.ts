import { connect } from 'amqplib';
import { buildRequest, HEADERS, type DeliveredJob } from '@org/protocol';
import { header, inState, useTestNamespace } from '@org/testkit';
import { startObservedManager, startTestWorker } from '../support/harness';
import { publishMany } from '../support/publish-many';

const slow = (ms: number) => async () => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { status: 'SUCCESS' as const, body: Buffer.alloc(0) };
};

describe('dispatch order: priority, then fairness, then arrival (design 5.1)', () => {
  const ns = useTestNamespace();

  it('runs 50 priority-9 requests before the 200th of a 2,000 priority-0 backlog', async () => {
    const { manager, events } = await startObservedManager(ns(), {
      workers: [{ type: 'prio', contentTypes: ['text/prio'] }],
    });
    const worker = await startTestWorker(ns(), { type: 'prio', concurrency: 4, handler: slow(2) }, [
      manager,
    ]);
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createChannel();
    await publishMany(channel, ns().names, 'low', 2000, 'text/prio');
    // The low ones are queued behind the window before the high ones arrive.
    await events.waitFor(20, inState('SUCCESS'), 60_000, 'the backlog started');
    for (let index = 0; index < 50; index++) {
      const message = buildRequest(ns().names, {
        requestId: `high-${index}`,
        contentType: 'text/prio',
        body: Buffer.from('h'),
        priority: 9,
      });
      channel.publish(message.exchange, message.routingKey, message.content, message.options);
    }
    // No need to drain the whole backlog: the question is settled once the 50 are done.
    await events.waitFor(
      50,
      (message) =>
        inState('SUCCESS')(message) &&
        String(header(message, HEADERS.requestId)).startsWith('high-'),
      180_000,
      'the 50 high-priority requests',
    );
    const lowBefore = events
      .matching(inState('SUCCESS'))
      .filter((message) => String(header(message, HEADERS.requestId)).startsWith('low-')).length;
    expect(worker.jobs.filter((job) => job.requestId.startsWith('high-'))).toHaveLength(50);
    expect(lowBefore).toBeLessThan(200);
  }, 240_000);

  it("with fairness: tenant, B's 20 go within the first 100 dispatches after A's 2,000", async () => {
    const { manager, events } = await startObservedManager(ns(), {
      workers: [{ type: 'fair', contentTypes: ['text/fair'], fairness: 'tenant' }],
    });
    const seen: Array<{ job: DeliveredJob; afterB: boolean }> = [];
    let bSubmitted = false;
    await startTestWorker(
      ns(),
      {
        type: 'fair',
        concurrency: 4,
        handler: async (job) => {
          seen.push({ job, afterB: bSubmitted });
          return slow(2)();
        },
      },
      [manager],
    );
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createConfirmChannel();
    const publish = (id: string, tenant: string) => {
      const message = buildRequest(ns().names, {
        requestId: id,
        contentType: 'text/fair',
        body: Buffer.from(id),
        tenant,
      });
      channel.publish(message.exchange, message.routingKey, message.content, message.options);
    };
    for (let index = 0; index < 2000; index++) publish(`a-${index}`, 'A');
    await channel.waitForConfirms();
    await events.waitFor(20, inState('SUCCESS'), 60_000, "A's backlog started");
    for (let index = 0; index < 20; index++) publish(`b-${index}`, 'B');
    await channel.waitForConfirms();
    bSubmitted = true;
    await events.waitFor(
      20,
      (message) =>
        inState('SUCCESS')(message) && String(header(message, HEADERS.requestId)).startsWith('b-'),
      180_000,
      "B's 20 requests",
    );
    const after = seen.filter((entry) => entry.afterB).map((entry) => entry.job.tenant);
    const firstHundred = after.slice(0, 100);
    expect(firstHundred.filter((tenant) => tenant === 'B')).toHaveLength(20);
  }, 240_000);
});
