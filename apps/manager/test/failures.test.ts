import { HEADERS } from '@org/protocol';
import {
  collectEvents,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { RequestCounters } from '../src/requests/request-counters';
import { RequestStateError } from '../src/requests/request-errors';
import { RequestsService } from '../src/requests/requests.service';
import { type JobAction } from './support/test-worker';
import { rowOf, startObservedManager, startTestManager, startTestWorker } from './support/harness';

const messagesOf = (message: Parameters<typeof header>[0]) =>
  ((header(message, HEADERS.messages) as Buffer[] | undefined) ?? []).map(String);

describe('failure policy', () => {
  const ns = useTestNamespace('mf');

  it('keeps ERROR and INVALID_CONTENT requests by default and deletes them with keepErrors: false', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        { type: 'keeper', contentTypes: ['k/err', 'k/inv'] },
        { type: 'dropper', contentTypes: ['d/err', 'd/inv'], keepErrors: false },
      ],
    });
    const handler = (job: { contentType: string }): JobAction =>
      job.contentType.endsWith('err')
        ? { status: 'ERROR', messages: ['boom'] }
        : { status: 'INVALID_CONTENT', messages: ['not a product'] };
    await startTestWorker(ns(), { type: 'keeper', handler }, [manager]);
    await startTestWorker(ns(), { type: 'dropper', handler }, [manager]);
    for (const [id, contentType] of [
      ['ke', 'k/err'],
      ['ki', 'k/inv'],
      ['de', 'd/err'],
      ['di', 'd/inv'],
    ] as const) {
      publishRequest(ns(), { requestId: id, contentType, body: Buffer.from(id) });
    }
    expect(messagesOf(await events.first(eventOf('ke', 'ERROR')))).toEqual(['boom']);
    expect(messagesOf(await events.first(eventOf('ki', 'INVALID_CONTENT')))).toEqual([
      'not a product',
    ]);
    expect(messagesOf(await events.first(eventOf('de', 'ERROR')))).toEqual(['boom']);
    expect(messagesOf(await events.first(eventOf('di', 'INVALID_CONTENT')))).toEqual([
      'not a product',
    ]);
    expect(await rowOf(db, 'ke')).toMatchObject({ state: 'ERROR', messages: ['boom'] });
    expect(await rowOf(db, 'ki')).toMatchObject({
      state: 'INVALID_CONTENT',
      messages: ['not a product'],
    });
    expect(await rowOf(db, 'de')).toBeUndefined();
    expect(await rowOf(db, 'di')).toBeUndefined();
    await expect(manager.app.get(RequestsService).delete('ke')).resolves.toBeUndefined();
    expect(await rowOf(db, 'ke')).toBeUndefined();
  });

  it('retries retryable errors under the retry policy with backoff, then gives up with ERROR', async () => {
    const manager = await startTestManager(ns(), {
      workers: [
        { type: 'flaky', contentTypes: ['f/once'], retry: { maxAttempts: 3, backoffMs: 50 } },
        { type: 'broken', contentTypes: ['b/always'], retry: { maxAttempts: 2, backoffMs: 0 } },
      ],
    });
    const events = await collectEvents(ns());
    let flakyFailures = 1;
    const flaky = await startTestWorker(
      ns(),
      {
        type: 'flaky',
        handler: () =>
          flakyFailures-- > 0
            ? { status: 'ERROR', messages: ['try again'], retryable: true }
            : { status: 'SUCCESS', body: Buffer.from('ok') },
      },
      [manager],
    );
    const broken = await startTestWorker(
      ns(),
      {
        type: 'broken',
        handler: () => ({ status: 'ERROR', messages: ['still down'], retryable: true }),
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'once', contentType: 'f/once', body: Buffer.from('x') });
    publishRequest(ns(), { requestId: 'always', contentType: 'b/always', body: Buffer.from('x') });

    await events.first(eventOf('once', 'SUCCESS'));
    // Each attempt's GRANTED, but for the one whose answer ended the request (lean events).
    expect(statesOf(events, 'once')).toEqual(['GRANTED', 'DELAYED', 'SUCCESS']);
    expect(flaky.jobsFor('once').map((job) => job.attempt)).toEqual([1, 2]);
    const error = await events.first(eventOf('always', 'ERROR'));
    expect(messagesOf(error)[0]).toBe('still down');
    expect(broken.jobsFor('always')).toHaveLength(2);
    expect(statesOf(events, 'always')).toEqual(['GRANTED', 'ERROR']);
  });

  it('turns a request with no answer before timeoutMs into ERROR and drops the late answer', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [{ type: 'slow', contentTypes: ['s/slow'], timeoutMs: 1000 }],
    });
    const worker = await startTestWorker(
      ns(),
      { type: 'slow', sendRunning: true, handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    publishRequest(ns(), { requestId: 'late', contentType: 's/slow', body: Buffer.from('x') });
    const error = await events.first(eventOf('late', 'ERROR'), 10_000);
    expect(messagesOf(error)).toEqual(['timed out after 1000 ms without a final answer']);
    expect(await rowOf(db, 'late')).toMatchObject({ state: 'ERROR' });

    const counters = manager.app.get(RequestCounters);
    await worker.respond({
      requestId: 'late',
      attempt: 1,
      status: 'SUCCESS',
      body: Buffer.from('too late'),
    });
    await waitFor(() => counters.dropped.late === 1, { what: 'the late answer dropped' });
    expect((await rowOf(db, 'late'))?.state).toBe('ERROR');
    expect(statesOf(events, 'late')).toEqual(['GRANTED', 'RUNNING', 'ERROR']);
  });

  it('turns a job dead-lettered by its worker queue into ERROR with the reason', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [{ type: 'picky', contentTypes: ['p/x'] }],
    });
    await startTestWorker(ns(), { type: 'picky', handler: () => ({ status: 'REJECT' }) }, [
      manager,
    ]);
    publishRequest(ns(), { requestId: 'dead', contentType: 'p/x', body: Buffer.from('x') });
    const error = await events.first(eventOf('dead', 'ERROR'));
    expect(messagesOf(error)[0]).toMatch(/rejected by a worker/);
    expect(await rowOf(db, 'dead')).toMatchObject({ state: 'ERROR' });
  });

  it('cancels a running request: CANCELLED, kept, and a cancel order to the instance holding it', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        { type: 'long', contentTypes: ['l/x'] },
        { type: 'absent', contentTypes: ['a/x'] },
      ],
    });
    const worker = await startTestWorker(
      ns(),
      { type: 'long', sendRunning: true, handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    publishRequest(ns(), { requestId: 'c1', contentType: 'l/x', body: Buffer.from('x') });
    publishRequest(ns(), { requestId: 'c2', contentType: 'a/x', body: Buffer.from('x') });
    await events.first(eventOf('c1', 'RUNNING'));
    await events.first(eventOf('c2', 'DELAYED'));
    await waitFor(async () => (await rowOf(db, 'c1'))?.state === 'RUNNING', { what: 'c1 RUNNING' });

    const service = manager.app.get(RequestsService);
    await expect(service.cancel('c1', 'not needed')).resolves.toEqual({
      requestId: 'c1',
      state: 'CANCELLED',
    });
    await expect(service.cancel('c2')).resolves.toEqual({ requestId: 'c2', state: 'CANCELLED' });
    expect(messagesOf(await events.first(eventOf('c1', 'CANCELLED')))).toEqual(['not needed']);
    await events.first(eventOf('c2', 'CANCELLED'));
    await waitFor(() => worker.orders.length > 0, { what: 'a cancel order' });
    expect(worker.orders).toEqual([
      expect.objectContaining({ order: 'cancel', requestId: 'c1', reason: 'not needed' }),
    ]);
    expect(await rowOf(db, 'c1')).toMatchObject({ state: 'CANCELLED' });
    await expect(service.cancel('c1')).rejects.toBeInstanceOf(RequestStateError);

    // The cancelled worker's eventual answer is late and dropped.
    await worker.respond({
      requestId: 'c1',
      attempt: 1,
      status: 'SUCCESS',
      body: Buffer.from('done anyway'),
    });
    await waitFor(() => manager.app.get(RequestCounters).dropped.late === 1, {
      what: 'the late answer dropped',
    });
    expect((await rowOf(db, 'c1'))?.state).toBe('CANCELLED');
  });

  it('drops stale, forged and unknown responses, counts them and leaves the request alone', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        { type: 'holder', contentTypes: ['h/x'] },
        { type: 'other', contentTypes: [] },
      ],
    });
    const worker = await startTestWorker(
      ns(),
      { type: 'holder', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    publishRequest(ns(), { requestId: 'st', contentType: 'h/x', body: Buffer.from('x') });
    await events.first(eventOf('st', 'GRANTED'));
    await waitFor(() => worker.jobs.length === 1, { what: 'the job delivered' });

    await worker.respond({
      requestId: 'st',
      attempt: 7,
      status: 'SUCCESS',
      body: Buffer.from('stale'),
    });
    await worker.respond({
      requestId: 'st',
      attempt: 1,
      status: 'SUCCESS',
      body: Buffer.from('forged'),
      workerType: 'other',
    });
    await worker.respond({ requestId: 'nobody', attempt: 1, status: 'SUCCESS' });
    const counters = manager.app.get(RequestCounters);
    await waitFor(
      () =>
        counters.dropped.stale === 1 &&
        counters.dropped.forged === 1 &&
        counters.dropped.unknown === 1,
      {
        what: 'three dropped responses',
      },
    );
    expect((await rowOf(db, 'st'))?.state).toBe('DISPATCHED');
    expect(statesOf(events, 'st')).toEqual(['GRANTED']);

    // The genuine answer still applies.
    await worker.respond({
      requestId: 'st',
      attempt: 1,
      status: 'SUCCESS',
      body: Buffer.from('real'),
    });
    expect((await events.first(eventOf('st', 'SUCCESS'))).content.toString()).toBe('real');
  });

  it('sends an unroutable job back to waiting', async () => {
    const manager = await startTestManager(ns(), {
      workers: [{ type: 'gone', contentTypes: ['g/x'] }],
    });
    const events = await collectEvents(ns());
    const worker = await startTestWorker(
      ns(),
      { type: 'gone', handler: () => ({ status: 'HOLD' }) },
      [manager],
    );
    await worker.stop(false); // still "alive" for the manager until its heartbeats expire
    await ns().channel.deleteQueue(ns().names.workerQueue('gone'));
    publishRequest(ns(), { requestId: 'u1', contentType: 'g/x', body: Buffer.from('x') });
    const delayed = await events.first(eventOf('u1', 'DELAYED'));
    expect(messagesOf(delayed)[0]).toMatch(/no queue was bound/);
    await waitFor(() => manager.app.get(RequestCounters).unroutable >= 1, {
      what: 'an unroutable job counted',
    });
  });
});
