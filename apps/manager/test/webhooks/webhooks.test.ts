import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '@org/protocol';
import {
  deferred,
  publishRequest,
  useTestNamespace,
  waitFor,
  type TestNamespace,
} from '@org/testkit';
import { type ManagerEnvironment } from '../../src/config/manager-environment';
import { type RunningManager } from '../../src/start-manager';
import { startHttpManager } from '../http/http-support';
import { startSdkWorker } from '../support/sdk-worker';
import { WebhookReceiver } from './webhook-receiver';

const SECRET = 'whsec-test-0123456789';
const VERIFY_PY = join(__dirname, '..', '..', '..', '..', 'docs', 'snippets', 'verify-webhook.py');
const CONFIG = { workers: [{ type: 'hook-work', contentTypes: ['hook/job'] }] };

/** Short timers; the receiver's loopback address allowed (the refusal is tested on its own). */
const WEBHOOKS: Partial<ManagerEnvironment> = {
  webhookSecret: SECRET,
  webhookAllowPrivate: ['127.0.0.1/32'],
  webhookPollMs: 50,
  webhookBackoffMs: 200,
  webhookMaxBackoffMs: 2000,
  // Generous: a loaded test machine must not turn a slow answer into a second (duplicate) call.
  webhookTimeoutMs: 10_000,
};

interface Delivery {
  state: string;
  eventState: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

async function start(
  ns: TestNamespace,
  overrides: Partial<ManagerEnvironment> = {},
): Promise<{ manager: RunningManager; http: ReturnType<typeof request> }> {
  const manager = await startHttpManager(ns, CONFIG, { ...WEBHOOKS, ...overrides });
  await startSdkWorker<{ outcome?: string }>(
    ns,
    {
      type: 'hook-work',
      handler: (job, ctx) =>
        job.json<{ outcome?: string }>().outcome === 'error'
          ? ctx.error('it broke')
          : ctx.success({ json: { stored: true } }),
    },
    [manager],
  );
  return { manager, http: request(manager.app.getHttpServer()) };
}

async function deliveries(http: ReturnType<typeof request>, id: string): Promise<Delivery[]> {
  const response = await http.get(`/api/v1/requests/${id}/webhooks`).expect(200);
  return response.body as Delivery[];
}

function pythonVerifies(timestamp: string, signature: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [VERIFY_PY, SECRET, timestamp, signature], (error) => {
      if (error && typeof error.code !== 'number') reject(new Error(error.message));
      else resolve(error ? (error.code as number) : 0);
    });
    child.stdin?.end(body);
  });
}

describe('webhooks', () => {
  const ns = useTestNamespace('wh');
  let receivers: WebhookReceiver[] = [];
  const receiver = async (host?: string): Promise<WebhookReceiver> => {
    const started = await WebhookReceiver.start(host);
    receivers.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    receivers = [];
  });

  it('POSTs the terminal event, signed: the signature verifies in Node and in Python; history shows it', async () => {
    const { http } = await start(ns());
    const hook = await receiver();
    await http
      .post('/api/v1/requests')
      .send({
        contentType: 'hook/job',
        payload: {},
        requestId: 'hook-1',
        tenant: 'acme',
        callbackUrl: hook.url(),
      })
      .expect(202);
    const [call] = await hook.received(1);
    const timestamp = call!.headers[WEBHOOK_HEADERS.timestamp] as string;
    const signature = call!.headers[WEBHOOK_HEADERS.signature] as string;
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.headers['wm-request-id']).toBe('hook-1');
    expect(call!.headers[WEBHOOK_HEADERS.id]).toMatch(/^\d+$/);
    expect(call!.headers[WEBHOOK_HEADERS.attempt]).toBe('1');
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, call!.body)).toBe(true);
    expect(verifyWebhookSignature('another-secret', { timestamp, signature }, call!.body)).toBe(
      false,
    );
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, `${call!.body} `)).toBe(false);
    expect(await pythonVerifies(timestamp, signature, call!.body)).toBe(0);
    expect(await pythonVerifies(timestamp, signature, call!.body.replace('acme', 'acmf'))).toBe(1);
    expect(JSON.parse(call!.body)).toEqual({
      type: 'request.event',
      requestId: 'hook-1',
      state: 'SUCCESS',
      terminal: true,
      contentType: 'hook/job',
      workflow: null,
      step: 0,
      attempt: 1,
      workerType: 'hook-work',
      workerId: expect.any(String),
      messages: [],
      progress: null,
      meta: {},
      tenant: 'acme',
      owner: null,
      session: null,
      output: {
        contentType: 'hook/job',
        mimeType: 'application/json',
        bytes: 15,
        href: '/api/v1/requests/hook-1/output',
      },
      occurredAt: expect.any(String),
    });
    await waitFor(async () => (await deliveries(http, 'hook-1'))[0]?.state === 'delivered');
    expect(await deliveries(http, 'hook-1')).toEqual([
      expect.objectContaining({
        eventState: 'SUCCESS',
        state: 'delivered',
        attempts: 1,
        lastStatus: 200,
        lastError: null,
      }),
    ]);
    // The docs show the Python verifier that this test runs.
    const docs = readFileSync(
      join(__dirname, '..', '..', '..', '..', 'docs', 'webhooks.md'),
      'utf8',
    );
    expect(docs).toContain(readFileSync(VERIFY_PY, 'utf8').trim());
  });

  it('every event with callbackEvents all; from AMQP with the wm-callback-url header', async () => {
    const { http } = await start(ns());
    const hook = await receiver();
    await http
      .post('/api/v1/requests')
      .send({
        contentType: 'hook/job',
        payload: { outcome: 'error' },
        requestId: 'all-1',
        callbackUrl: hook.url('/all'),
        callbackEvents: 'all',
      })
      .expect(202);
    const delivered = await waitFor(
      async () => {
        const list = (await deliveries(http, 'all-1')).filter((d) => d.state === 'delivered');
        const has = (state: string) => list.some((d) => d.eventState === state);
        return has('ERROR') && has('RUNNING') && list;
      },
      { what: 'the ERROR delivered' },
    );
    // GRANTED is sent after the job's confirm, outside the transaction, unless the worker's answer
    // overtook it: it may or may not be called back (docs/webhooks.md).
    const states = delivered.map((d) => d.eventState).filter((state) => state !== 'GRANTED');
    expect(states).toEqual(['RUNNING', 'ERROR']);
    // At least once: a repeated call (same wm-webhook-id) counts once.
    const byDelivery = new Map(
      hook.calls.map((call) => [
        call.headers[WEBHOOK_HEADERS.id],
        (JSON.parse(call.body) as { state: string }).state,
      ]),
    );
    const called = [...byDelivery.values()];
    expect(called.filter((state) => state !== 'GRANTED').sort()).toEqual(['ERROR', 'RUNNING']);

    publishRequest(ns(), {
      requestId: 'amqp-1',
      contentType: 'hook/job',
      body: Buffer.from('{}'),
      callbackUrl: hook.url('/amqp'),
    });
    await waitFor(() => hook.calls.find((call) => call.path === '/amqp'), {
      what: 'the AMQP request called back',
    });
    const amqp = hook.calls.find((call) => call.path === '/amqp')!;
    expect(JSON.parse(amqp.body)).toMatchObject({ requestId: 'amqp-1', state: 'SUCCESS' });

    const refused = await http
      .post('/api/v1/requests')
      .send({ contentType: 'hook/job', payload: {}, callbackUrl: 'ftp://example.com/x' })
      .expect(400);
    expect(JSON.stringify(refused.body)).toContain('callbackUrl');
  });

  it('the receiver down for 10 s then up: delivered once, after retries with backoff', async () => {
    const { http } = await start(ns());
    const hook = await receiver();
    await hook.stop();
    const downSince = Date.now();
    await http
      .post('/api/v1/requests')
      .send({
        contentType: 'hook/job',
        payload: { outcome: 'error' },
        requestId: 'down-1',
        callbackUrl: hook.url(),
      })
      .expect(202);
    // Down for 10 s, during which the attempts fail and are spaced out by the backoff.
    const failing = await waitFor(
      async () => {
        const [delivery] = await deliveries(http, 'down-1');
        return Date.now() - downSince >= 10_000 && delivery && delivery.attempts >= 3 && delivery;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: '10 s of failed attempts' },
    );
    expect(failing).toMatchObject({
      state: 'pending',
      lastStatus: null,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    // 10 s at 200 ms doubling up to 2 s with jitter: far fewer attempts than a fixed 200 ms would make.
    expect(failing.attempts).toBeLessThan(15);
    await hook.listen();
    await hook.received(1);
    await waitFor(async () => (await deliveries(http, 'down-1'))[0]?.state === 'delivered');
    const [delivered] = await deliveries(http, 'down-1');
    expect(delivered).toMatchObject({ state: 'delivered', lastStatus: 200, eventState: 'ERROR' });
    expect(delivered!.attempts).toBeGreaterThan(failing.attempts);
    expect(hook.calls).toHaveLength(1);
    expect(JSON.parse(hook.calls[0]!.body)).toMatchObject({
      requestId: 'down-1',
      state: 'ERROR',
      messages: ['it broke'],
    });
  }, 60_000);

  it('private addresses are refused, directly or behind a redirect; 302 is not followed', async () => {
    // Only 127.0.0.2 is allowed here: the refused target is the receiver on 127.0.0.1.
    const { http } = await start(ns(), { webhookAllowPrivate: ['127.0.0.2/32'] });
    const target = await receiver('127.0.0.1');
    const redirecting = await receiver('127.0.0.2');
    redirecting.mode = { kind: 'redirect', status: 307, location: target.url('/inside') };
    const submit = (requestId: string, callbackUrl: string) =>
      http
        .post('/api/v1/requests')
        .send({ contentType: 'hook/job', payload: {}, requestId, callbackUrl })
        .expect(202);

    await submit('redirect-1', redirecting.url('/out'));
    await submit('direct-1', target.url('/direct'));
    await submit('metadata-1', 'http://169.254.169.254/latest/meta-data/');
    for (const id of ['redirect-1', 'direct-1', 'metadata-1']) {
      await waitFor(async () => (await deliveries(http, id))[0]?.state === 'failed', {
        what: `${id} refused`,
      });
    }
    expect((await deliveries(http, 'redirect-1'))[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(
        /^redirected to http:\/\/127\.0\.0\.1:\d+\/inside: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a private/,
      ),
    });
    expect((await deliveries(http, 'direct-1'))[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/127\.0\.0\.1, a private/),
    });
    expect((await deliveries(http, 'metadata-1'))[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/169\.254\.169\.254, a private/),
    });
    expect(redirecting.calls).toHaveLength(1);
    expect(target.calls).toHaveLength(0);

    redirecting.mode = { kind: 'redirect', status: 302, location: 'http://127.0.0.2:1/elsewhere' };
    await submit('found-1', redirecting.url('/found'));
    const [found] = await waitFor(async () => {
      const list = await deliveries(http, 'found-1');
      return list[0]?.lastStatus === 302 && list;
    });
    expect(found).toMatchObject({
      state: 'pending',
      lastError: 'redirect 302 not followed: only 307 and 308 (which keep the POST) are',
    });
  });

  it('a slow answer times out (and is retried); a huge one is cut off', async () => {
    const { http } = await start(ns(), { webhookTimeoutMs: 500, webhookMaxResponseBytes: 1024 });
    const hook = await receiver();
    hook.mode = { kind: 'hold' };
    await http
      .post('/api/v1/requests')
      .send({ contentType: 'hook/job', payload: {}, requestId: 'slow-1', callbackUrl: hook.url() })
      .expect(202);
    const [slow] = await waitFor(async () => {
      const list = await deliveries(http, 'slow-1');
      return list[0]?.lastError ? list : undefined;
    });
    expect(slow).toMatchObject({
      state: 'pending',
      lastError: 'no answer within 500 ms (WM_WEBHOOK_TIMEOUT_MS)',
    });

    const huge = 64 * 1024 * 1024;
    hook.mode = { kind: 'huge', bytes: huge };
    await waitFor(async () => (await deliveries(http, 'slow-1'))[0]?.state === 'delivered', {
      timeoutMs: 30_000,
    });
    expect((await deliveries(http, 'slow-1'))[0]).toMatchObject({
      lastStatus: 200,
      lastError: 'response cut off at 1024 bytes',
    });
    await waitFor(() => hook.hugeWritten > 0);
    expect(hook.hugeWritten).toBeLessThan(huge);
  });

  it('a batch with one callback: its summary once all ended (partial: allow), at its first failure (partial: fail)', async () => {
    const gate = deferred<void>();
    const manager = await startHttpManager(ns(), CONFIG, WEBHOOKS);
    await startSdkWorker<{ outcome?: string }>(
      ns(),
      {
        type: 'hook-work',
        concurrency: 4,
        handler: async (job, ctx) => {
          const { outcome } = job.json<{ outcome?: string }>();
          if (outcome === 'slow') await gate.promise;
          return outcome === 'error' ? ctx.error('it broke') : ctx.success({ json: {} });
        },
      },
      [manager],
    );
    ns().defer(() => gate.resolve());
    const http = request(manager.app.getHttpServer());
    const hook = await receiver();
    const job = (requestId: string, outcome: string, contentType = 'hook/job') => ({
      requestId,
      contentType,
      payload: { outcome },
    });

    const allow = await http
      .post('/api/v1/requests')
      .send({
        requests: [
          job('a-1', 'ok'),
          job('a-2', 'error'),
          job('a-3', 'ok'),
          job('a-4', 'ok', 'hook/nowhere'),
        ],
        callbackUrl: hook.url('/allow'),
      })
      .expect(202);
    const allowId = (allow.body as { batchId: string }).batchId;
    expect(allowId).toMatch(/^batch-/);
    const [summary] = await hook.received(1);
    expect(summary!.path).toBe('/allow');
    expect(summary!.headers['wm-request-id']).toBe(allowId);
    expect(
      verifyWebhookSignature(
        SECRET,
        {
          timestamp: summary!.headers[WEBHOOK_HEADERS.timestamp] as string,
          signature: summary!.headers[WEBHOOK_HEADERS.signature] as string,
        },
        summary!.body,
      ),
    ).toBe(true);
    expect(JSON.parse(summary!.body)).toEqual({
      type: 'batch.summary',
      batchId: allowId,
      partial: 'allow',
      outcome: 'partial',
      total: 4,
      ended: 4,
      succeeded: 2,
      failed: 2,
      requests: [
        { requestId: 'a-1', state: 'SUCCESS' },
        { requestId: 'a-2', state: 'ERROR' },
        { requestId: 'a-3', state: 'SUCCESS' },
        { requestId: 'a-4', state: 'SKIPPED' },
      ],
      occurredAt: expect.any(String),
    });
    await waitFor(async () => (await deliveries(http, allowId))[0]?.state === 'delivered');

    // partial: fail: the first failure fails the batch; the summary does not wait for f-2.
    const fail = await http
      .post('/api/v1/requests')
      .send({
        requests: [job('f-1', 'error'), job('f-2', 'slow')],
        callbackUrl: hook.url('/fail'),
        partial: 'fail',
      })
      .expect(202);
    const failId = (fail.body as { batchId: string }).batchId;
    const calls = await hook.received(2);
    expect(JSON.parse(calls[1]!.body)).toMatchObject({
      batchId: failId,
      partial: 'fail',
      outcome: 'failed',
      total: 2,
      ended: 1,
      succeeded: 0,
      failed: 1,
      requests: [
        { requestId: 'f-1', state: 'ERROR' },
        { requestId: 'f-2', state: null },
      ],
    });
    const running = await http.get('/api/v1/requests/f-2').expect(200);
    expect(['DISPATCHED', 'RUNNING']).toContain((running.body as { state: string }).state);
    gate.resolve();
    await waitFor(async () => (await http.get('/api/v1/requests/f-2')).status === 404);
    // One summary per batch, never a second one.
    expect(hook.calls.filter((call) => call.path === '/fail')).toHaveLength(1);
  });

  it('signs with the secret of the API key a request came through, else the global one', async () => {
    const KEY = 'hooks-operator-key-0123456789';
    const { http } = await start(ns(), {
      apiKeys: [`billing:operate:${KEY}`, `other:operate:${KEY}-other`],
      webhookKeySecrets: { billing: 'billing-secret-0123456789' },
    });
    const hook = await receiver();
    for (const [key, id] of [
      [KEY, 'keyed-1'],
      [`${KEY}-other`, 'global-1'],
    ] as const) {
      await http
        .post('/api/v1/requests')
        .set('Authorization', `Bearer ${key}`)
        .send({
          contentType: 'hook/job',
          payload: {},
          requestId: id,
          callbackUrl: hook.url(`/${id}`),
        })
        .expect(202);
    }
    await hook.received(2);
    const signed = (id: string, secret: string): boolean => {
      const call = hook.calls.find((c) => c.path === `/${id}`)!;
      return verifyWebhookSignature(
        secret,
        {
          timestamp: call.headers[WEBHOOK_HEADERS.timestamp] as string,
          signature: call.headers[WEBHOOK_HEADERS.signature] as string,
        },
        call.body,
      );
    };
    expect(signed('keyed-1', 'billing-secret-0123456789')).toBe(true);
    expect(signed('keyed-1', SECRET)).toBe(false);
    expect(signed('global-1', SECRET)).toBe(true);
  });
});
