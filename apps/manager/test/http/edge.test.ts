import { type HttpFixture, createHttpFixture, expectApiError } from './http-support';

const config = { workers: [{ type: 'edge-worker', contentTypes: ['edge/raw'] }] };

/** The HTTP edge of a real replica: error shape, body limit, forbidden keys, media types, request ids, OpenAPI. */
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
    expectApiError(response.body, 413, 'payload_too_large');
    expect(response.body.message).toContain('2048');
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
      expectApiError(response.body, 400, 'forbidden_key');
      expect(response.body.message).toContain(`"${key}"`);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  it('refuses malformed JSON with 400 invalid_json', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('Content-Type', 'application/json')
      .send('{"contentType":')
      .expect(400);
    expectApiError(response.body, 400, 'invalid_json');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await fx.http
      .post('/api/v1/requests')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expectApiError(response.body, 415, 'unsupported_media_type');
  });

  it('answers an unknown route with 404 in the same shape', async () => {
    const response = await fx.http.get('/api/v1/nothing-here').expect(404);
    expectApiError(response.body, 404, 'not_found');
  });

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
    expect(response.body.components.schemas).toHaveProperty('ApiErrorBody');
    expect(response.body.components.schemas).toHaveProperty('SubmitRequestDto');
    await fx.http.get('/api/docs').expect(200);
  });
});
