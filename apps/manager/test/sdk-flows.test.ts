import { HEADERS } from '@org/protocol';
import {
  deferred,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { RequestsService } from '../src/requests/requests.service';
import { rowOf, startObservedManager } from './support/harness';
import { startSdkWorker } from './support/sdk-worker';

// The core flows again, with workers an author writes with @org/worker-sdk (the plain-amqplib
// TestWorker of the other files proves the contract alone is enough).
describe('the manager with SDK workers', () => {
  const ns = useTestNamespace('mq');

  it('happy path (GRANTED, RUNNING, SUCCESS, row deleted), DELAYED then dispatched, and keepErrors kept or deleted', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        { type: 'sdk-echo', contentTypes: ['sdk/echo'] },
        { type: 'sdk-late', contentTypes: ['sdk/late'] },
        { type: 'sdk-keep', contentTypes: ['sdk/keep'] },
        { type: 'sdk-drop', contentTypes: ['sdk/drop'], keepErrors: false },
      ],
    });
    await startSdkWorker(
      ns(),
      {
        type: 'sdk-echo',
        handler: (job, ctx) => ctx.success({ body: Buffer.from(`echo:${job.body.toString()}`) }),
      },
      [manager],
    );
    await startSdkWorker(ns(), { type: 'sdk-keep', handler: (_job, ctx) => ctx.error('broken') }, [
      manager,
    ]);
    await startSdkWorker(
      ns(),
      {
        type: 'sdk-drop',
        handler: () => {
          throw new Error('exploded');
        },
      },
      [manager],
    );

    publishRequest(ns(), { requestId: 'ok', contentType: 'sdk/echo', body: Buffer.from('a') });
    publishRequest(ns(), { requestId: 'late', contentType: 'sdk/late', body: Buffer.from('b') });
    publishRequest(ns(), { requestId: 'kept', contentType: 'sdk/keep', body: Buffer.from('c') });
    publishRequest(ns(), { requestId: 'gone', contentType: 'sdk/drop', body: Buffer.from('d') });

    const success = await events.first(eventOf('ok', 'SUCCESS'));
    expect(success.content.toString()).toBe('echo:a');
    expect(statesOf(events, 'ok')).toEqual(['GRANTED', 'RUNNING', 'SUCCESS']);
    expect(header(success, HEADERS.workerType)).toBe('sdk-echo');
    expect(await rowOf(db, 'ok')).toBeUndefined();

    const kept = await events.first(eventOf('kept', 'ERROR'));
    expect(header(kept, HEADERS.messages)).toEqual(['broken']);
    expect(await rowOf(db, 'kept')).toMatchObject({ state: 'ERROR', messages: ['broken'] });
    const gone = await events.first(eventOf('gone', 'ERROR'));
    expect(String(header(gone, HEADERS.messages))).toContain('exploded');
    await waitFor(async () => (await rowOf(db, 'gone')) === undefined, {
      what: 'the failed request deleted (keepErrors: false)',
    });

    await events.first(eventOf('late', 'DELAYED'));
    expect(await rowOf(db, 'late')).toMatchObject({ state: 'NO_WORKER_AVAILABLE' });
    await startSdkWorker(ns(), { type: 'sdk-late', handler: (job, ctx) => ctx.success() }, [
      manager,
    ]);
    await events.first(eventOf('late', 'SUCCESS'));
    expect(statesOf(events, 'late')).toEqual(['DELAYED', 'GRANTED', 'RUNNING', 'SUCCESS']);
  });

  it('a workflow step waits for its worker, a failed step is retried from its stored input, and a cancel aborts the running handler', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        { type: 'sdk-mover', contentTypes: [] },
        { type: 'sdk-extractor', contentTypes: [] },
        { type: 'sdk-long', contentTypes: ['sdk/long'] },
      ],
      workflows: [{ type: 'sdk/ingest', steps: ['sdk-mover', 'sdk-extractor'] }],
    });
    const service = manager.app.get(RequestsService);
    await startSdkWorker(
      ns(),
      {
        type: 'sdk-mover',
        handler: (job, ctx) =>
          ctx.success({ body: Buffer.from(`moved:${job.body.toString()}`), meta: { path: '/p' } }),
      },
      [manager],
    );

    publishRequest(ns(), { requestId: 'wf', contentType: 'sdk/ingest', body: Buffer.from('raw') });
    const delayed = await events.first(eventOf('wf', 'DELAYED'));
    expect(header(delayed, HEADERS.step)).toBe(1);
    expect(header(delayed, HEADERS.workerType)).toBe('sdk-extractor');

    // The extractor fails the first time it sees the step's input, then succeeds on retry.
    const inputs: string[] = [];
    const metas: Array<Readonly<Record<string, string>>> = [];
    await startSdkWorker(
      ns(),
      {
        type: 'sdk-extractor',
        handler: (job, ctx) => {
          inputs.push(job.body.toString());
          metas.push(job.meta);
          return inputs.length === 1
            ? ctx.error('extractor down')
            : ctx.success({ body: Buffer.from(`described:${job.body.toString()}`) });
        },
      },
      [manager],
    );
    const failed = await events.first(eventOf('wf', 'ERROR'));
    expect(header(failed, HEADERS.step)).toBe(1);
    expect(await rowOf(db, 'wf')).toMatchObject({ state: 'ERROR', step: 1 });

    await expect(service.retry('wf')).resolves.toMatchObject({ requestId: 'wf' });
    const done = await events.first(eventOf('wf', 'SUCCESS'));
    expect(done.content.toString()).toBe('described:moved:raw');
    // Retry restarted at the failed step, with that step's stored input; the mover ran once.
    expect(inputs).toEqual(['moved:raw', 'moved:raw']);
    expect(metas[1]).toMatchObject({ 'wm-meta-path': '/p' });
    expect(statesOf(events, 'wf').filter((state) => state === 'GRANTED')).toHaveLength(3);

    // Cancel: the order reaches the SDK, whose handler sees its AbortSignal fire.
    const started = deferred<void>();
    const aborted = deferred<unknown>();
    await startSdkWorker(
      ns(),
      {
        type: 'sdk-long',
        handler: async (_job, ctx) => {
          started.resolve();
          await new Promise<void>((resolve) => {
            if (ctx.signal.aborted) resolve();
            ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          aborted.resolve(ctx.signal.reason);
          return ctx.error('aborted');
        },
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'long', contentType: 'sdk/long', body: Buffer.from('x') });
    await started.promise;
    await events.first(eventOf('long', 'RUNNING'));
    await waitFor(async () => (await rowOf(db, 'long'))?.state === 'RUNNING', {
      what: 'long RUNNING with its worker id',
    });
    await expect(service.cancel('long', 'no longer needed')).resolves.toEqual({
      requestId: 'long',
      state: 'CANCELLED',
    });
    const reason = await aborted.promise;
    expect(String((reason as Error | undefined)?.message ?? reason)).toContain('no longer needed');
    await events.first(eventOf('long', 'CANCELLED'));
    expect(await rowOf(db, 'long')).toMatchObject({ state: 'CANCELLED' });
  });
});
