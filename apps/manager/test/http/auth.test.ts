import { type HttpFixture, createHttpFixture, expectProblem } from './http-support';

const READ_KEY = 'read-key-0123456789abcdef';
const OPERATE_KEY = 'operate-key-0123456789abcdef';
const config = { workers: [{ type: 'auth-worker', contentTypes: ['auth/raw'] }] };

describe('API keys (WM_API_KEYS set)', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    // The operate key is configured by its SHA-256 digest: the plain key never needs to be in the environment.
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(OPERATE_KEY).digest('hex');
    fx = await createHttpFixture(
      config,
      {},
      { WM_API_KEYS: `grafana:read:${READ_KEY},ops:operate:sha256:${digest}` },
    );
    fx.ns.workerTypes.add('auth-worker');
  });
  afterAll(() => fx?.ns.cleanup());

  it('answers 401 without a key or with an unknown one, on every route but health', async () => {
    for (const path of [
      '/api/v1/requests',
      '/api/v1/workers',
      '/api/v1/config',
      '/metrics',
      '/api/docs-json',
    ]) {
      const response = await fx.http.get(path).expect(401);
      expectProblem(response, 401, 'unauthorized');
      expect(response.headers['www-authenticate']).toContain('Bearer');
    }
    expectProblem(
      await fx.http
        .get('/api/v1/workers')
        .set('Authorization', 'Bearer wrong-key-0123456789')
        .expect(401),
      401,
      'unauthorized',
    );
    await fx.http.get('/health/live').expect(200);
    await fx.http.get('/health/ready').expect(200);
  });

  it('answers 403 for a read key on an operate route', async () => {
    const submit = await fx.http
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${READ_KEY}`)
      .send({ contentType: 'auth/raw', payload: 1 })
      .expect(403);
    expectProblem(submit, 403, 'forbidden');
    expect(submit.body.detail).toContain('grafana');
    await fx.http
      .put('/api/v1/config')
      .set('X-API-Key', READ_KEY)
      .send({ workers: [] })
      .expect(403);
    await fx.http
      .delete('/api/v1/requests')
      .set('X-API-Key', READ_KEY)
      .query({ state: 'ERROR' })
      .expect(403);
  });

  it('answers 200 with the right key, in either header', async () => {
    await fx.http.get('/api/v1/workers').set('Authorization', `Bearer ${READ_KEY}`).expect(200);
    await fx.http.get('/metrics').set('X-API-Key', READ_KEY).expect(200);
    await fx.http.get('/api/v1/requests').set('Authorization', `bearer ${OPERATE_KEY}`).expect(200);
    const submitted = await fx.http
      .post('/api/v1/requests')
      .set('X-API-Key', OPERATE_KEY)
      .send({ contentType: 'auth/raw', payload: 1 })
      .expect(202);
    expect(submitted.body.state).toBe('NO_WORKER_AVAILABLE');
  });
});
