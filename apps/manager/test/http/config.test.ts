import { waitFor } from '@org/testkit';
import request from 'supertest';
import {
  type HttpFixture,
  createHttpFixture,
  expectApiError,
  startHttpManager,
} from './http-support';

const initial = {
  workers: [{ type: 'cfg-a', contentTypes: ['cfg/a'] }],
  workflows: [],
  skipContentTypes: [],
};

describe('REST configuration export and import', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(initial);
    fx.ns.workerTypes.add('cfg-a').add('cfg-b');
  });
  afterAll(() => fx?.ns.cleanup());

  it('exports the configuration in effect, with its version', async () => {
    const response = await fx.http.get('/api/v1/config').expect(200);
    expect(response.body).toEqual({
      workers: [{ type: 'cfg-a', contentTypes: ['cfg/a'] }],
      workflows: [],
      skipContentTypes: [],
    });
    expect(response.headers['x-config-version']).toBe('1');
    expect(response.headers['etag']).toBe('"1"');
  });

  it('refuses an invalid import, changes nothing and lists every problem with its path', async () => {
    const response = await fx.http
      .put('/api/v1/config')
      .send({
        workers: [
          { type: 'Bad Type', contentTypes: ['cfg/a'] },
          { type: 'cfg-b', timeoutMs: 'soon' },
        ],
        colour: 'red',
      })
      .expect(400);
    expectApiError(response.body, 400, 'invalid_configuration');
    const paths = (response.body.details as Array<{ path: string }>).map((detail) => detail.path);
    expect(paths).toEqual(
      expect.arrayContaining(['colour', 'workers[0].type', 'workers[1].timeoutMs']),
    );
    const crossCheck = await fx.http
      .put('/api/v1/config')
      .send({
        workers: [{ type: 'cfg-a', contentTypes: ['cfg/a'] }],
        workflows: [{ type: 'cfg/flow', steps: ['cfg-a', 'missing'] }],
      })
      .expect(400);
    expect(crossCheck.body.details).toEqual([
      { path: 'workflows[0].steps[1]', message: expect.stringContaining('missing') },
    ]);
    expect((await fx.http.get('/api/v1/config').expect(200)).headers['x-config-version']).toBe('1');
  });

  it('imports a valid configuration; another replica picks it up', async () => {
    const other = await startHttpManager(fx.ns, undefined);
    const next = {
      workers: [
        { type: 'cfg-a', contentTypes: ['cfg/a'] },
        { type: 'cfg-b', contentTypes: ['cfg/b'], keepErrors: false },
      ],
      workflows: [],
      skipContentTypes: ['cfg/ignored'],
    };
    const response = await fx.http.put('/api/v1/config').send(next).expect(200);
    expect(response.body).toEqual(next);
    expect(response.headers['x-config-version']).toBe('2');
    const otherHttp = request(other.app.getHttpServer());
    const seen = await waitFor(
      async () => {
        const current = await otherHttp.get('/api/v1/config');
        return current.headers['x-config-version'] === '2' ? (current.body as unknown) : undefined;
      },
      { what: 'the other replica to load version 2' },
    );
    expect(seen).toEqual(next);
    // The new route works on the other replica.
    const submitted = await otherHttp
      .post('/api/v1/requests')
      .send({ contentType: 'cfg/b', payload: 1 })
      .expect(202);
    expect(submitted.body.state).toBe('NO_WORKER_AVAILABLE');
  });

  it('refuses a non-object document', async () => {
    const response = await fx.http.put('/api/v1/config').send([1]).expect(400);
    expectApiError(response.body, 400, 'invalid_configuration');
    expect(response.body.details).toEqual([{ path: '(root)', message: expect.any(String) }]);
  });
});
