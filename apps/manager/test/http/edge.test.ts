import { type HttpFixture, createHttpFixture, expectProblem } from './http-support';

const config = { workers: [{ type: 'edge-worker', contentTypes: ['edge/raw'] }] };

/**
 * The HTTP edge of a real replica: problem details, body limit, forbidden keys, media types,
 * 405 with Allow, OPTIONS without CORS, no X-Powered-By, request ids, OpenAPI.
 */
describe('HTTP edge (authentication off)', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config, {}, { WM_MAX_BODY_BYTES: '2048' });
  });
  afterAll(() => fx?.ns.cleanup());

  it('answers without a key when WM_API_KEYS is unset', async () => {
    const response = await fx.http.get('/api/v1/workers').expect(200);
    expect(Array.isArray(response.body)).toBe(true);
    await fx.http.get('/metrics').expect(200);
  });

  it('echoes a usable X-Request-Id and puts it in error bodies; makes one up otherwise', async () => {
    const mine = await fx.http
      .get('/api/v1/requests/nope')
      .set('X-Request-Id', 'call-42')
      .expect(404);
    expect(mine.headers['x-request-id']).toBe('call-42');
    expect(mine.body.requestId).toBe('call-42');
    const unusable = await fx.http
      .get('/api/v1/requests/nope')
      .set('X-Request-Id', 'bad id with spaces')
      .expect(404);
    expect(unusable.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over WM_MAX_BODY_BYTES with 413', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .send({ contentType: 'edge/raw', payload: 'x'.repeat(4096) })
      .expect(413);
    expectProblem(response, 413, 'payload_too_large');
    expect(response.body.detail).toContain('2048');
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a "%s" key anywhere in the body with 400',
    async (key) => {
      const body = `{"contentType":"edge/raw","payload":{"nested":{"${key}":{"polluted":true}}}}`;
      const response = await fx.http
        .post('/api/v1/requests')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expectProblem(response, 400, 'forbidden_key');
      expect(response.body.detail).toContain(`"${key}"`);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('Content-Type', 'application/json')
      .send('{"contentType":')
      .expect(400);
    expectProblem(response, 400, 'invalid_json');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers an unknown route with 404 problem details, exactly', async () => {
    const response = await fx.http
      .get('/api/v1/nothing-here?tenant=secret')
      .set('X-Request-Id', 'call-404')
      .expect(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'urn:wm:problem:not_found',
      title: 'Not found',
      status: 404,
      detail: 'nothing is served at GET /api/v1/nothing-here',
      instance: '/api/v1/nothing-here',
      code: 'not_found',
      requestId: 'call-404',
    });
  });

  it('answers a validation failure with every located problem in errors, exactly', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('X-Request-Id', 'call-400')
      .send({ contentType: 'edge/raw', payload: 1, colour: 'red' })
      .expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'urn:wm:problem:validation_failed',
      title: 'The request is invalid',
      status: 400,
      detail: 'the request is invalid: colour: is not a known field; remove it',
      instance: '/api/v1/requests',
      code: 'validation_failed',
      errors: [{ path: 'colour', message: 'is not a known field; remove it' }],
      requestId: 'call-400',
    });
  });

  it.each([
    ['patch', '/api/v1/config', 'GET, HEAD, PUT'],
    ['delete', '/health/live', 'GET, HEAD'],
    ['put', '/api/v1/requests/some-id', 'DELETE, GET, HEAD'],
    ['get', '/api/v1/requests/some-id/retry', 'POST'],
    ['post', '/metrics', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await fx.http[method](path).expect(405);
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe(allow);
    expect(response.body.instance).toBe(path);
  });

  it('answers OPTIONS with 405 and Allow when CORS is off, and sends no CORS header', async () => {
    const response = await fx.http
      .options('/api/v1/config')
      .set('Origin', 'https://elsewhere.example')
      .set('Access-Control-Request-Method', 'PUT')
      .expect(405);
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('GET, HEAD, PUT');
    expect(
      Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
    ).toEqual([]);
    await fx.http.options('/api/v1/nothing-here').expect(404);
  });

  it('never says X-Powered-By, on success or error', async () => {
    for (const response of [
      await fx.http.get('/health/live').expect(200),
      await fx.http.get('/api/v1/workers').expect(200),
      await fx.http.get('/api/v1/nothing-here').expect(404),
      await fx.http.patch('/api/v1/config').expect(405),
    ])
      expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it.each(['application/vnd.api+json', 'application/merge-patch+json; charset=utf-8'])(
    'reads a %s body as JSON',
    async (mediaType) => {
      const response = await fx.http
        .post('/api/v1/requests')
        .set('Content-Type', mediaType)
        .send(JSON.stringify({ contentType: 'edge/raw', payload: { n: 1 } }))
        .expect(202);
      expect(response.body).toEqual({ id: expect.any(String), state: 'NO_WORKER_AVAILABLE' });
    },
  );

  it('serves the OpenAPI document generated from the controllers', async () => {
    const response = await fx.http.get('/api/docs-json').expect(200);
    const paths = Object.keys(response.body.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/requests',
        '/api/v1/requests/{id}',
        '/api/v1/requests/{id}/retry',
        '/api/v1/requests/{id}/cancel',
        '/api/v1/requests/retry',
        '/api/v1/workers',
        '/api/v1/workers/{type}/instances/{id}/drain',
        '/api/v1/workers/{type}/instances/{id}/resume',
        '/api/v1/config',
        '/health/live',
        '/health/ready',
        '/metrics',
      ]),
    );
    expect(response.body.components.schemas).toHaveProperty('ProblemDetails');
    expect(response.body.components.schemas).toHaveProperty('SubmitRequestDto');
    await fx.http.get('/api/docs').expect(200);
  });
});
