import { HEADERS } from '@org/protocol';
import { eventOf, header, publishRequest, statesOf, useTestNamespace, waitFor } from '@org/testkit';
import { RequestsService } from '../src/requests/requests.service';
import { rowOf, startObservedManager, startTestWorker } from './support/harness';

const config = {
  workers: [
    { type: 'mover', contentTypes: [], output: 'product/stored' },
    { type: 'extractor', contentTypes: [], output: 'product/described' },
  ],
  workflows: [{ type: 'product/ingest', steps: ['mover', 'extractor'] }],
};

describe('workflows', () => {
  const ns = useTestNamespace('mw');

  it('waits at a step whose worker is missing, then feeds it the previous output and meta when one appears', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    const mover = await startTestWorker(
      ns(),
      {
        type: 'mover',
        handler: (job) => ({
          status: 'SUCCESS',
          body: Buffer.from(`moved:${job.body.toString()}`),
          meta: { 'wm-meta-path': '/store/1' },
        }),
      },
      [manager],
    );

    publishRequest(ns(), {
      requestId: 'wf1',
      contentType: 'product/ingest',
      body: Buffer.from('raw'),
      tenant: 'acme',
    });
    const delayed = await events.first(eventOf('wf1', 'DELAYED'));
    expect(header(delayed, HEADERS.step)).toBe(1);
    expect(header(delayed, HEADERS.workerType)).toBe('extractor');
    const waiting = await rowOf(db, 'wf1');
    expect(waiting).toMatchObject({
      state: 'NO_WORKER_AVAILABLE',
      step: 1,
      worker_type: 'extractor',
    });
    expect(waiting!.input.toString()).toBe('moved:raw');

    const extractor = await startTestWorker(
      ns(),
      {
        type: 'extractor',
        handler: (job) => ({ status: 'SUCCESS', body: Buffer.from(`${job.body.toString()}+meta`) }),
      },
      [manager],
    );
    const success = await events.first(eventOf('wf1', 'SUCCESS'));
    expect(success.content.toString()).toBe('moved:raw+meta');
    expect(header(success, HEADERS.contentType)).toBe('product/described');
    expect(header(success, HEADERS.requestContentType)).toBe('product/ingest');
    expect(header(success, 'wm-meta-path')).toBe('/store/1');
    expect(header(success, HEADERS.tenant)).toBe('acme');
    const [job] = extractor.jobs;
    expect(job).toMatchObject({
      step: 1,
      workflow: 'product/ingest',
      contentType: 'product/stored',
      meta: { 'wm-meta-path': '/store/1' },
      tenant: 'acme',
    });
    expect(job!.body.toString()).toBe('moved:raw');
    expect(mover.jobs).toHaveLength(1);
    // The last step's answer ends the request: its SUCCESS stands for its GRANTED (lean events).
    expect(statesOf(events, 'wf1')).toEqual(['GRANTED', 'DELAYED', 'SUCCESS']);
    expect(await rowOf(db, 'wf1')).toBeUndefined();
  });

  it('retries a failed workflow from the failed step with that step input', async () => {
    const { manager, events, db } = await startObservedManager(ns(), config);
    const mover = await startTestWorker(
      ns(),
      { type: 'mover', handler: () => ({ status: 'SUCCESS', body: Buffer.from('step-1-output') }) },
      [manager],
    );
    let failures = 1;
    const extractor = await startTestWorker(
      ns(),
      {
        type: 'extractor',
        handler: (job) =>
          failures-- > 0
            ? { status: 'ERROR', messages: ['disk full'] }
            : { status: 'SUCCESS', body: Buffer.from(`ok:${job.body.toString()}`) },
      },
      [manager],
    );

    publishRequest(ns(), {
      requestId: 'wf2',
      contentType: 'product/ingest',
      body: Buffer.from('raw'),
    });
    const error = await events.first(eventOf('wf2', 'ERROR'));
    expect((header(error, HEADERS.messages) as Buffer[]).map(String)).toEqual(['disk full']);
    expect(await rowOf(db, 'wf2')).toMatchObject({
      state: 'ERROR',
      step: 1,
      messages: ['disk full'],
    });

    await expect(manager.app.get(RequestsService).retry('wf2')).resolves.toMatchObject({
      state: 'DISPATCHED',
    });
    const success = await events.first(eventOf('wf2', 'SUCCESS'));
    expect(success.content.toString()).toBe('ok:step-1-output');
    expect(mover.jobs).toHaveLength(1);
    expect(extractor.jobs.map((job) => [job.step, job.attempt, job.body.toString()])).toEqual([
      [1, 2, 'step-1-output'],
      [1, 3, 'step-1-output'],
    ]);
    await waitFor(async () => (await rowOf(db, 'wf2')) === undefined, { what: 'row deleted' });
  });
});
