import { HEADERS } from '@org/protocol';
import {
  collectEvents,
  eventOf,
  header,
  publishRequest,
  statesOf,
  type TestNamespace,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { RequestCounters } from '../src/requests/request-counters';
import { RequestsService } from '../src/requests/requests.service';
import { rowOf, startObservedManager, startTestManager, startTestWorker } from './support/harness';

const config = {
  workers: [{ type: 'echo', contentTypes: ['text/echo'] }],
  skipContentTypes: ['text/ignored'],
};

describe('intake', () => {
  const ns = useTestNamespace('mi');

  it('grants a routable request, the worker answers, the requester gets SUCCESS with the output and the row is deleted', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    await startTestWorker(
      ns(),
      {
        type: 'echo',
        sendRunning: true,
        handler: (job) => ({
          status: 'SUCCESS',
          body: Buffer.from(`echo:${job.body.toString()}`),
          meta: { 'wm-meta-size': '5' },
        }),
      },
      [manager],
    );

    publishRequest(ns(), {
      requestId: 'r1',
      contentType: 'text/echo',
      body: Buffer.from('hello'),
      tenant: 't1',
      owner: 'o1',
      session: 's1',
      correlationId: 'c1',
    });
    const success = await events.first(eventOf('r1', 'SUCCESS'));
    expect(success.content.toString()).toBe('echo:hello');
    expect(header(success, HEADERS.tenant)).toBe('t1');
    expect(header(success, HEADERS.owner)).toBe('o1');
    expect(header(success, HEADERS.session)).toBe('s1');
    expect(header(success, 'wm-meta-size')).toBe('5');
    expect(success.properties.correlationId).toBe('c1');
    expect(statesOf(events, 'r1')).toEqual(['GRANTED', 'RUNNING', 'SUCCESS']);
    expect(await rowOf(db, 'r1')).toBeUndefined();
  });

  it('answers SKIPPED for a missing content type, the skip list, no route, an oversized payload and invalid headers', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config, {
      maxPayloadBytes: 10,
    });
    const missing = buildRaw(ns, 'no-type', undefined);
    ns().channel.publish(missing.exchange, missing.routingKey, missing.content, missing.options);
    publishRequest(ns(), {
      requestId: 'skip',
      contentType: 'text/ignored',
      body: Buffer.from('x'),
    });
    publishRequest(ns(), {
      requestId: 'nowhere',
      contentType: 'text/unknown',
      body: Buffer.from('x'),
    });
    publishRequest(ns(), { requestId: 'big', contentType: 'text/echo', body: Buffer.alloc(11) });
    publishRequest(ns(), {
      requestId: 'bad-tenant',
      contentType: 'text/echo',
      body: Buffer.from('x'),
      tenant: 'x'.repeat(300),
    });

    const reasons = async (id: string) => {
      const event = await events.first(eventOf(id, 'SKIPPED'));
      return (header(event, HEADERS.messages) as Buffer[]).map(String).join(' ');
    };
    expect(await reasons('no-type')).toMatch(/wm-content-type: is required/);
    expect(await reasons('skip')).toMatch(/skip list/);
    expect(await reasons('nowhere')).toMatch(
      /no worker type or workflow handles content type "text\/unknown"/,
    );
    expect(await reasons('big')).toMatch(/11 bytes, over the limit of 10 bytes/);
    expect(await reasons('bad-tenant')).toMatch(/wm-tenant/);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
    expect(manager.app.get(RequestCounters).skipped).toMatchObject({
      invalid: 2,
      'skip-list': 1,
      'no-route': 1,
      'too-large': 1,
    });
  });

  it('absorbs a redelivered request (one row, one set of events) and skips another payload under a live id', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    // No echo worker: the request waits, so its id stays live.
    publishRequest(ns(), { requestId: 'dup', contentType: 'text/echo', body: Buffer.from('one') });
    await events.first(eventOf('dup', 'DELAYED'));
    publishRequest(ns(), { requestId: 'dup', contentType: 'text/echo', body: Buffer.from('one') });
    publishRequest(ns(), { requestId: 'dup', contentType: 'text/echo', body: Buffer.from('two') });
    const skipped = await events.first(eventOf('dup', 'SKIPPED'));
    expect(String((header(skipped, HEADERS.messages) as Buffer[])[0])).toMatch(
      /duplicate request id/,
    );
    await waitFor(() => manager.app.get(RequestCounters).redeliveries === 1, {
      what: 'the redelivery absorbed',
    });
    expect(statesOf(events, 'dup')).toEqual(['DELAYED', 'SKIPPED']);
    expect((await rowOf(db, 'dup'))?.input.toString()).toBe('one');
  });

  it('keeps a request DELAYED while no worker is alive and dispatches it, oldest first, when one registers', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    for (const id of ['w1', 'w2', 'w3'])
      publishRequest(ns(), { requestId: id, contentType: 'text/echo', body: Buffer.from(id) });
    await events.waitFor(3, (m) => header(m, HEADERS.state) === 'DELAYED');
    expect((await rowOf(db, 'w1'))?.state).toBe('NO_WORKER_AVAILABLE');

    const worker = await startTestWorker(ns(), { type: 'echo', concurrency: 1 }, [manager]);
    await events.waitFor(3, (m) => header(m, HEADERS.state) === 'SUCCESS');
    expect(worker.jobs.map((job) => job.requestId)).toEqual(['w1', 'w2', 'w3']);
    expect(worker.jobs.every((job) => job.attempt === 1)).toBe(true);
    for (const id of ['w1', 'w2', 'w3'])
      expect(statesOf(events, id)).toEqual(['DELAYED', 'SUCCESS']);
  });

  it('submits through the service method on the same path as AMQP intake', async () => {
    const manager = await startTestManager(ns(), config);
    const events = await collectEvents(ns());
    await startTestWorker(ns(), { type: 'echo' }, [manager]);
    const service = manager.app.get(RequestsService);
    const outcomes = await service.submit([
      { requestId: 'api-1', contentType: 'text/echo', body: Buffer.from('a') },
      { requestId: 'api-2', contentType: 'text/nothing', body: Buffer.from('b') },
      { contentType: 'text/echo', body: Buffer.from('c') },
    ]);
    expect(outcomes[0]).toMatchObject({ requestId: 'api-1', state: 'DISPATCHED' });
    expect(outcomes[1]).toMatchObject({ requestId: 'api-2', state: 'SKIPPED' });
    expect(outcomes[2]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await events.first(eventOf('api-1', 'SUCCESS'));
    await events.first(eventOf(outcomes[2]!.requestId, 'SUCCESS'));
    // v2 (design 5.1): a finished id is remembered for WM_DEDUP_RETENTION_MS and never runs again.
    const again = await service.submit([
      { requestId: 'api-1', contentType: 'text/echo', body: Buffer.from('other') },
    ]);
    expect(again[0]).toMatchObject({
      state: 'SKIPPED',
      messages: [expect.stringContaining('already finished')],
    });
  });
});

function buildRaw(ns: () => TestNamespace, id: string, contentType: string | undefined) {
  return {
    exchange: ns().names.exchanges.requests,
    routingKey: contentType ?? 'whatever',
    content: Buffer.from('x'),
    options: { persistent: true, messageId: id, headers: {} },
  };
}
