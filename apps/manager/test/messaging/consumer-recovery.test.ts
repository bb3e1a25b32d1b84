import { publishRequest, useTestNamespace, waitFor } from '@org/testkit';
import { rowOf, startObservedManager } from '../support/harness';

/**
 * A manager consumer whose channel the broker closed or whose consumer it cancelled, while the
 * connection stayed up: amqp-connection-manager reopens channels only on a reconnect, so before
 * the fix the consumer stayed silent for good (a cluster test stalled so once, when a consume met
 * a quorum queue still electing its leader after a node loss). It now reconnects.
 */
describe('manager consumers closed by the broker', () => {
  const ns = useTestNamespace('mcr');

  it('consumes again after the broker cancelled the request consumer (its queue deleted)', async () => {
    const { db } = await startObservedManager(ns(), {
      workers: [{ type: 'rcv', contentTypes: ['rcv/x'] }],
    });
    ns().workerTypes.add('rcv');
    const requests = ns().names.queues.managerRequests;
    await ns().channel.deleteQueue(requests);

    // Declared again and consumed again, by the manager's own reconnect.
    await waitFor(
      async () => {
        const probe = await ns().connection.createChannel();
        probe.on('error', () => undefined);
        try {
          const { consumerCount } = await probe.checkQueue(requests);
          return consumerCount >= 1;
        } catch {
          return false;
        } finally {
          await probe.close().catch(() => undefined);
        }
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the request queue declared and consumed again' },
    );
    publishRequest(ns(), {
      requestId: 'after-cancel',
      contentType: 'rcv/x',
      body: Buffer.from('x'),
    });
    // No worker of the type is alive: recorded, the request waits for one.
    await waitFor(async () => (await rowOf(db, 'after-cancel'))?.state === 'NO_WORKER_AVAILABLE', {
      timeoutMs: 20_000,
      what: 'the request recorded as NO_WORKER_AVAILABLE',
    });
  });
});
