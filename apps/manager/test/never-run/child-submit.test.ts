import { type ConsumeMessage } from 'amqplib';
import request from 'supertest';
import { childRequestId, HEADERS } from '@org/protocol';
import {
  collectEvents,
  deferred,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
} from '@org/testkit';
import { type WorkerHandler } from '@org/worker-sdk';
import { killWorker } from '@org/worker-sdk/testing';
import { startSdkWorker } from '../support/sdk-worker';
import { startHttpManager } from '../http/http-support';

interface ListedRequest {
  id: string;
  state: string;
  parentId: string | null;
  contentType: string;
}

// Idempotency that survives the row (design 5.1): `ctx.submit` derives the child's id from the
// parent's, so a parent job redelivered after its worker died submits the same child again, and
// the manager runs it once.
describe('a redelivered parent submits its child once', () => {
  const ns = useTestNamespace('nr');

  it('the parent runs twice (its first worker dies before acking), one child exists under it in REST and ran once', async () => {
    const manager = await startHttpManager(ns(), {
      workers: [
        { type: 'nr-parent', contentTypes: ['nr/parent'] },
        // Kept after success, so REST still lists the child once it has run.
        { type: 'nr-child', contentTypes: ['nr/child'], keepSuccess: true },
      ],
    });
    const events = await collectEvents(ns());
    const childRuns: string[] = [];
    await startSdkWorker(
      ns(),
      {
        type: 'nr-child',
        handler: (job, ctx) => {
          childRuns.push(job.requestId);
          return ctx.success();
        },
      },
      [manager],
    );

    const submitted: string[] = [];
    const firstRunSubmitted = deferred();
    // The first run submits and then hangs (its worker is killed meanwhile); later runs finish.
    const parentHandler: WorkerHandler = async (job, ctx) => {
      submitted.push(await ctx.submit('nr/child', { from: job.requestId }));
      if (submitted.length > 1) return ctx.success();
      firstRunSubmitted.resolve();
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return ctx.error('aborted');
    };
    const first = await startSdkWorker(ns(), { type: 'nr-parent', handler: parentHandler }, [
      manager,
    ]);

    publishRequest(ns(), { requestId: 'parent', contentType: 'nr/parent', body: Buffer.from('p') });
    await firstRunSubmitted.promise;
    await events.first(eventOf(submitted[0]!, 'SUCCESS'), 15_000, 'the child of the first run');

    // A second instance takes over when the first dies holding the unacked parent job.
    await startSdkWorker(ns(), { type: 'nr-parent', handler: parentHandler }, [manager]);
    expect(killWorker(first)).toEqual(['parent']);
    await events.first(eventOf('parent', 'SUCCESS'), 15_000, 'the redelivered parent');
    // Whatever intake made of the second submit: a new child would run and succeed.
    const settled = (event: ConsumeMessage) =>
      submitted.includes(String(header(event, HEADERS.requestId))) &&
      ['SKIPPED', 'SUCCESS'].includes(String(header(event, HEADERS.state)));
    await events.waitFor(2, settled, 15_000, 'both submits settled');

    const childId = childRequestId('parent', 0, 0);
    expect(submitted).toEqual([childId, childId]);
    // The same id again, after the child ended: refused as already finished, not run.
    // (Informational events are at most once: only the terminal ones are counted.)
    const terminal = statesOf(events, childId).filter((state) =>
      ['SUCCESS', 'SKIPPED', 'ERROR'].includes(state),
    );
    expect(terminal).toEqual(['SUCCESS', 'SKIPPED']);
    const repeated = events.matching(eventOf(childId, 'SKIPPED'))[0]!;
    expect(String(header(repeated, HEADERS.messages))).toContain('already finished');
    expect(childRuns).toEqual([childId]);
    const listed = await request(manager.app.getHttpServer())
      .get('/api/v1/requests')
      .query({ parentId: 'parent' })
      .expect(200);
    const items = (listed.body as { items: ListedRequest[] }).items;
    expect(items).toEqual([
      expect.objectContaining({
        id: childId,
        state: 'SUCCESS',
        parentId: 'parent',
        contentType: 'nr/child',
      }),
    ]);
    expect(events.matching(eventOf(childId, 'SUCCESS'))).toHaveLength(1);
  });
});
