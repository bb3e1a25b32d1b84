import { type HttpFixture, createHttpFixture, expectProblem, seedRequests } from './http-support';

// No worker of this type ever runs here: submitted requests wait (NO_WORKER_AVAILABLE).
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const config = { workers: [{ type: 'rq-worker', contentTypes: ['rq/raw'] }] };

describe('REST requests: one at a time', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
    fx.ns.workerTypes.add('rq-worker');
  });
  afterAll(() => fx?.ns.cleanup());

  it('submits a JSON payload and answers 202 with its id and state', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('traceparent', TRACEPARENT)
      .send({
        contentType: 'rq/raw',
        payload: { sku: 'A-1' },
        requestId: 'json-1',
        tenant: 't1',
        owner: 'o1',
        session: 's1',
      })
      .expect(202);
    expect(response.body).toEqual({ id: 'json-1', state: 'NO_WORKER_AVAILABLE' });
    const stored = await fx.db.query(
      'SELECT input, input_mime, tenant, traceparent FROM requests WHERE id = $1',
      ['json-1'],
    );
    expect(JSON.parse((stored.rows[0].input as Buffer).toString('utf8'))).toEqual({ sku: 'A-1' });
    // The caller's trace context travels with the request to the workers.
    expect(stored.rows[0]).toMatchObject({
      input_mime: 'application/json',
      tenant: 't1',
      traceparent: TRACEPARENT,
    });
  });

  it('submits base64 bytes with their MIME type, and a batch answered entry by entry', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const response = await fx.http
      .post('/api/v1/requests')
      .send({
        requests: [
          {
            contentType: 'rq/raw',
            payloadBase64: bytes.toString('base64'),
            mimeType: 'image/png',
            requestId: 'b64-1',
          },
          { contentType: 'nobody/handles-this', payload: 1, requestId: 'unrouted-1' },
        ],
      })
      .expect(202);
    expect(response.body.requests).toEqual([
      { id: 'b64-1', state: 'NO_WORKER_AVAILABLE' },
      {
        id: 'unrouted-1',
        state: 'SKIPPED',
        messages: [expect.stringContaining('nobody/handles-this')],
      },
    ]);
    const stored = await fx.db.query('SELECT input, input_mime FROM requests WHERE id = $1', [
      'b64-1',
    ]);
    expect(Buffer.compare(stored.rows[0].input, bytes)).toBe(0);
    expect(stored.rows[0].input_mime).toBe('image/png');
  });

  it.each([
    ['an unknown field', { contentType: 'rq/raw', payload: 1, colour: 'red' }, 'colour'],
    ['a wrong type', { contentType: 42, payload: 1 }, 'contentType'],
    ['no payload', { contentType: 'rq/raw' }, 'payload'],
    ['both payloads', { contentType: 'rq/raw', payload: 1, payloadBase64: 'AAE=' }, '(body)'],
    ['bad base64', { contentType: 'rq/raw', payloadBase64: 'not base64!' }, 'payloadBase64'],
    ['a wildcard content type', { contentType: 'rq/#', payload: 1 }, 'contentType'],
  ])('refuses %s with 400 and the path of the problem', async (_what, body, path) => {
    const response = await fx.http.post('/api/v1/requests').send(body).expect(400);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
  });

  it('locates problems inside a batch, and refuses an empty or non-object body', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .send({
        requests: [
          { contentType: 'rq/raw', payload: 1 },
          { contentType: 'rq/raw', payload: 1, extra: true },
        ],
      })
      .expect(400);
    expect(response.body.errors).toEqual([
      { path: 'requests[1].extra', message: 'is not a known field; remove it' },
    ]);
    expectProblem(
      await fx.http.post('/api/v1/requests').send({ requests: [] }).expect(400),
      400,
      'validation_failed',
    );
    expectProblem(
      await fx.http.post('/api/v1/requests').send([1, 2]).expect(400),
      400,
      'validation_failed',
    );
  });

  it('shows one request with its history, cancels it, retries it and deletes it', async () => {
    await fx.http
      .post('/api/v1/requests')
      .send({ contentType: 'rq/raw', payload: 'x', requestId: 'life-1' })
      .expect(202);

    const detail = await fx.http.get('/api/v1/requests/life-1').expect(200);
    expect(detail.body).toMatchObject({
      id: 'life-1',
      state: 'NO_WORKER_AVAILABLE',
      contentType: 'rq/raw',
      workerType: 'rq-worker',
      step: 0,
      inputBytes: 3,
    });
    expect((detail.body.history as Array<{ state: string }>).map((entry) => entry.state)).toEqual([
      'NO_WORKER_AVAILABLE',
    ]);

    const cancelled = await fx.http.post('/api/v1/requests/life-1/cancel').expect(200);
    expect(cancelled.body).toEqual({ id: 'life-1', state: 'CANCELLED' });
    const again = await fx.http.post('/api/v1/requests/life-1/cancel').expect(409);
    expectProblem(again, 409, 'not_eligible');

    const retried = await fx.http.post('/api/v1/requests/life-1/retry').expect(200);
    expect(retried.body).toEqual({ id: 'life-1', state: 'NO_WORKER_AVAILABLE' });
    const history = (await fx.http.get('/api/v1/requests/life-1').expect(200)).body
      .history as Array<{ state: string; messages: string[] }>;
    expect(history.map((entry) => entry.state)).toEqual([
      'NO_WORKER_AVAILABLE',
      'CANCELLED',
      'NO_WORKER_AVAILABLE',
    ]);
    expect(history[1]!.messages).toEqual(['cancelled by an operator']);

    await fx.http.delete('/api/v1/requests/life-1').expect(204);
    expectProblem(await fx.http.get('/api/v1/requests/life-1').expect(404), 404, 'not_found');
    // The history went with the request.
    expect(
      (
        await fx.db.query('SELECT count(*)::int AS n FROM request_history WHERE request_id = $1', [
          'life-1',
        ])
      ).rows[0].n,
    ).toBe(0);
  });

  it('answers 404 for unknown ids and 409 for a request a worker may be running', async () => {
    for (const call of [
      fx.http.get('/api/v1/requests/ghost'),
      fx.http.post('/api/v1/requests/ghost/retry'),
      fx.http.post('/api/v1/requests/ghost/cancel'),
      fx.http.delete('/api/v1/requests/ghost'),
    ]) {
      const response = await call.expect(404);
      expectProblem(response, 404, 'not_found');
      expect(response.body.detail).toContain('"ghost"');
    }
    await seedRequests(fx.db, {
      prefix: 'busy',
      count: 1,
      state: 'RUNNING',
      workerType: 'rq-worker',
    });
    const retry = await fx.http.post('/api/v1/requests/busy-00001/retry').expect(409);
    expectProblem(retry, 409, 'not_eligible');
    expect(retry.body.detail).toContain('RUNNING');
    expectProblem(
      await fx.http.delete('/api/v1/requests/busy-00001').expect(409),
      409,
      'not_eligible',
    );
    expect((await fx.http.get('/api/v1/requests/busy-00001').expect(200)).body.state).toBe(
      'RUNNING',
    );
  });
});
