import { waitFor } from '@org/testkit';
import request from 'supertest';
import {
  type HttpFixture,
  createHttpFixture,
  expectProblem,
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
    expectProblem(response, 400, 'invalid_configuration');
    // Every problem once, each with its path: the unknown key does not hide the others.
    expect(response.body.errors).toHaveLength(3);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        {
          path: 'colour',
          message: 'is not a configuration key here (known: workers, workflows, skipContentTypes)',
        },
        { path: 'workers[0].type', message: expect.stringMatching(/^must match /) },
        { path: 'workers[1].timeoutMs', message: 'must be an integer number' },
      ]),
    );
    const crossCheck = await fx.http
      .put('/api/v1/config')
      .send({
        workers: [{ type: 'cfg-a', contentTypes: ['cfg/a'] }],
        workflows: [{ type: 'cfg/flow', steps: ['cfg-a', 'missing'] }],
      })
      .expect(400);
    expect(crossCheck.body.errors).toEqual([
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

  describe('conditional import (If-Match) and versions', () => {
    const base = {
      workers: [{ type: 'cfg-a', contentTypes: ['cfg/a'] }],
      workflows: [],
      skipContentTypes: [],
    };
    const variant = (n: number) => ({ ...base, skipContentTypes: [`cfg/skip-${n}`] });

    async function current(): Promise<{ etag: string; version: number; body: object }> {
      const response = await fx.http.get('/api/v1/config').expect(200);
      return {
        etag: response.headers['etag']!,
        version: Number(response.headers['x-config-version']),
        body: response.body as object,
      };
    }

    it('imports when If-Match names the stored version, answering the new ETag', async () => {
      const before = await current();
      const response = await fx.http
        .put('/api/v1/config')
        .set('If-Match', before.etag)
        .send(variant(1))
        .expect(200);
      expect(response.headers['etag']).toBe(`"${before.version + 1}"`);
      expect(response.headers['x-config-version']).toBe(String(before.version + 1));
      expect(response.body).toEqual(variant(1));
    });

    it('answers 412 with the stored ETag when If-Match names another version, and changes nothing', async () => {
      const before = await current();
      for (const ifMatch of [`"${before.version - 1}"`, `W/${before.etag}`, '"not-a-version"']) {
        const response = await fx.http
          .put('/api/v1/config')
          .set('If-Match', ifMatch)
          .send(variant(2))
          .expect(412);
        expectProblem(response, 412, 'precondition_failed');
        expect(response.headers['etag']).toBe(before.etag);
        expect(response.body.instance).toBe('/api/v1/config');
      }
      expect(await current()).toEqual(before);
    });

    it('accepts * and a list of tags that includes the stored one', async () => {
      const before = await current();
      await fx.http.put('/api/v1/config').set('If-Match', '*').send(variant(3)).expect(200);
      const response = await fx.http
        .put('/api/v1/config')
        .set('If-Match', `"1", "${before.version + 1}"`)
        .send(variant(4))
        .expect(200);
      expect(response.headers['etag']).toBe(`"${before.version + 2}"`);
    });

    it('keeps the version when the content is identical, with or without If-Match', async () => {
      const before = await current();
      const again = await fx.http.put('/api/v1/config').send(before.body).expect(200);
      expect(again.headers['etag']).toBe(before.etag);
      const conditional = await fx.http
        .put('/api/v1/config')
        .set('If-Match', before.etag)
        .send(before.body)
        .expect(200);
      expect(conditional.headers['etag']).toBe(before.etag);
      expect(await current()).toEqual(before);
    });

    it('lets exactly one of two imports conditioned on the same version win', async () => {
      const before = await current();
      const answers = await Promise.all(
        [5, 6].map((n) =>
          fx.http.put('/api/v1/config').set('If-Match', before.etag).send(variant(n)),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
      expect((await current()).version).toBe(before.version + 1);
    });
  });

  it('refuses a non-object document', async () => {
    const response = await fx.http.put('/api/v1/config').send([1]).expect(400);
    expectProblem(response, 400, 'invalid_configuration');
    expect(response.body.errors).toEqual([{ path: '(root)', message: expect.any(String) }]);
  });
});
