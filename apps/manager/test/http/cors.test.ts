import { parseCorsOrigins } from '../../src/http/cors';
import { type HttpFixture, createHttpFixture, expectProblem } from './http-support';

const ORIGIN = 'https://ops.example.test';
const config = { workers: [{ type: 'cors-worker', contentTypes: ['cors/raw'] }] };

describe('CORS (WM_CORS_ORIGINS set)', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(
      config,
      {},
      { WM_CORS_ORIGINS: `${ORIGIN}, https://other.example.test:8443` },
    );
  });
  afterAll(() => fx?.ns.cleanup());

  it('answers a preflight from an allowed origin with 204 and what the path allows', async () => {
    const response = await fx.http
      .options('/api/v1/config')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'authorization, content-type, if-match')
      .expect(204);
    expect(response.headers).toEqual(
      expect.objectContaining({
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-methods': 'GET, HEAD, OPTIONS, PUT',
        'access-control-allow-headers':
          'Authorization, Content-Type, If-Match, X-API-Key, X-Request-Id, traceparent, tracestate',
        'access-control-max-age': '600',
        allow: 'GET, HEAD, OPTIONS, PUT',
        vary: 'Origin',
      }),
    );
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.text).toBe('');
  });

  it('lets an allowed origin read answers, errors included, and their headers', async () => {
    for (const response of [
      await fx.http.get('/api/v1/config').set('Origin', ORIGIN).expect(200),
      await fx.http.get('/api/v1/requests/ghost').set('Origin', ORIGIN).expect(404),
    ]) {
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(response.headers['access-control-expose-headers']).toBe(
        'Allow, ETag, WWW-Authenticate, X-Config-Version, X-Request-Id',
      );
      expect(response.headers['vary']).toBe('Origin');
    }
  });

  it('gives another origin no CORS header (the browser blocks it), preflight or not', async () => {
    const preflight = await fx.http
      .options('/api/v1/config')
      .set('Origin', 'https://evil.example.test')
      .set('Access-Control-Request-Method', 'PUT')
      .expect(204);
    const call = await fx.http
      .get('/api/v1/config')
      .set('Origin', 'https://evil.example.test')
      .expect(200);
    for (const response of [preflight, call]) {
      expect(
        Object.keys(response.headers).filter((name) => name.startsWith('access-control-')),
      ).toEqual([]);
    }
  });

  it('answers OPTIONS without a preflight with 204 and Allow; an unknown path with 404', async () => {
    const plain = await fx.http.options('/health/live').expect(204);
    expect(plain.headers['allow']).toBe('GET, HEAD, OPTIONS');
    expect(plain.headers['access-control-allow-methods']).toBeUndefined();
    expectProblem(await fx.http.options('/api/v1/nothing-here').expect(404), 404, 'not_found');
  });
});

describe('WM_CORS_ORIGINS parsing', () => {
  it('is off when unset or empty, and takes origins or * alone', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins(' ')).toEqual([]);
    expect(parseCorsOrigins('https://a.example, http://b.example:8080')).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(parseCorsOrigins('*')).toEqual(['*']);
  });

  it.each([
    ['https://a.example/', /is not an origin/],
    ['https://a.example/app', /is not an origin/],
    ['a.example', /is not an origin/],
    ['*, https://a.example', /cannot be combined/],
  ])('refuses %s', (value, error) => {
    expect(() => parseCorsOrigins(value)).toThrow(error);
  });
});
