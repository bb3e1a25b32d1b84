import request from 'supertest';
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
import { startSdkWorker } from '../support/sdk-worker';
import { startHttpManager } from '../http/http-support';

const OUTPUT_BYTES = 4000;
const LIMIT = 1000;

interface RequestDetail {
  state: string;
  messages: string[];
}

// Memory bounded by bytes (design 5.1): a worker output over WM_MAX_PAYLOAD_BYTES ends ERROR with
// the sizes, whether the SDK catches it before sending or the manager when it arrives.
describe('a worker output over the payload limit', () => {
  const ns = useTestNamespace('nr');

  it("over the SDK's maxPayloadBytes: never sent, ERROR naming both sizes, to the requester and in REST", async () => {
    const manager = await startHttpManager(ns(), {
      workers: [{ type: 'nr-big', contentTypes: ['nr/big'] }],
    });
    const events = await collectEvents(ns());
    const worker = await startSdkWorker(
      ns(),
      {
        type: 'nr-big',
        maxPayloadBytes: LIMIT,
        handler: (_job, ctx) => ctx.success({ body: Buffer.alloc(OUTPUT_BYTES, 1) }),
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'big', contentType: 'nr/big', body: Buffer.from('x') });

    const failed = await events.first(eventOf('big', 'ERROR'));
    const [message] = header(failed, HEADERS.messages) as string[];
    expect(message).toContain(`output of ${OUTPUT_BYTES} bytes`);
    expect(message).toContain(`${LIMIT}-byte limit`);
    expect(failed.content).toHaveLength(0);
    expect(statesOf(events, 'big')).not.toContain('SUCCESS');
    // Answered ERROR by the worker itself (counted once its answer was confirmed).
    await waitFor(() => worker.stats().failed === 1, { what: 'the worker counting the failure' });
    expect(worker.stats().processed).toBe(1);
    const detail = await request(manager.app.getHttpServer())
      .get('/api/v1/requests/big')
      .expect(200);
    expect(detail.body as RequestDetail).toMatchObject({ state: 'ERROR', messages: [message] });
  });

  it("over the manager's WM_MAX_PAYLOAD_BYTES (the worker's own limit is larger): ERROR naming both sizes", async () => {
    const manager = await startHttpManager(
      ns(),
      { workers: [{ type: 'nr-big', contentTypes: ['nr/big'] }] },
      { maxPayloadBytes: LIMIT },
    );
    const events = await collectEvents(ns());
    // The SDK's default limit (1 MiB) lets the output go: only the manager can refuse it.
    await startSdkWorker(
      ns(),
      {
        type: 'nr-big',
        handler: (_job, ctx) => ctx.success({ body: Buffer.alloc(OUTPUT_BYTES, 1) }),
      },
      [manager],
    );
    publishRequest(ns(), { requestId: 'big', contentType: 'nr/big', body: Buffer.from('x') });

    const failed = await events.first(eventOf('big', 'ERROR'));
    const [message] = header(failed, HEADERS.messages) as string[];
    expect(message).toContain(`output is ${OUTPUT_BYTES} bytes`);
    expect(message).toContain(`limit of ${LIMIT} bytes (WM_MAX_PAYLOAD_BYTES)`);
    expect(failed.content).toHaveLength(0);
    expect(statesOf(events, 'big')).not.toContain('SUCCESS');
    const detail = await request(manager.app.getHttpServer())
      .get('/api/v1/requests/big')
      .expect(200);
    expect(detail.body as RequestDetail).toMatchObject({ state: 'ERROR', messages: [message] });
  });
});
