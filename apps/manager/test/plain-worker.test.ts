import { HEADERS } from '@org/protocol';
import { eventOf, header, publishRequest, statesOf, useTestNamespace } from '@org/testkit';
import { startObservedManager, startTestWorker } from './support/harness';

describe('a worker written with plain amqplib from the contract', () => {
  const ns = useTestNamespace('mp');

  it('only checks its queue (the manager declared it), then completes requests with RUNNING, PROGRESS and SUCCESS', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [{ type: 'plain', contentTypes: ['plain/text'], output: 'plain/upper' }],
    });
    // TestWorker declares nothing of the work topology: checkTopology() fails if the queue is missing.
    const worker = await startTestWorker(
      ns(),
      {
        type: 'plain',
        sendRunning: true,
        sendProgress: 50,
        handler: (job) => ({
          status: 'SUCCESS',
          body: Buffer.from(job.body.toString().toUpperCase()),
        }),
      },
      [manager],
    );
    const ids = Array.from({ length: 20 }, (_, index) => `plain-${index}`);
    for (const id of ids)
      publishRequest(ns(), { requestId: id, contentType: 'plain/text', body: Buffer.from(id) });
    await events.waitFor(ids.length, (m) => header(m, HEADERS.state) === 'SUCCESS');
    for (const id of ids) {
      const success = await events.first(eventOf(id, 'SUCCESS'));
      expect(success.content.toString()).toBe(id.toUpperCase());
      expect(header(success, HEADERS.contentType)).toBe('plain/upper');
      expect(header(success, HEADERS.workerId)).toBe(worker.id);
      expect(statesOf(events, id)).toEqual(['GRANTED', 'RUNNING', 'PROGRESS', 'SUCCESS']);
    }
    const progress = await events.first(eventOf('plain-0', 'PROGRESS'));
    expect(header(progress, HEADERS.progress)).toBe(50);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
  });
});
