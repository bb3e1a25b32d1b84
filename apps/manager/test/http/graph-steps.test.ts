import { parseParts } from '@org/protocol';
import { waitFor } from '@org/testkit';
import { startTestWorker } from '../support/harness';
import { type HttpFixture, createHttpFixture, expectProblem } from './http-support';

const config = {
  workers: [{ type: 'hs-move' }, { type: 'hs-check' }, { type: 'hs-describe' }],
  workflows: [
    {
      type: 'hs/flow',
      keepSuccess: true,
      steps: [
        { id: 'move', worker: 'hs-move' },
        { id: 'check', worker: 'hs-check', after: ['move'] },
        { id: 'describe', worker: 'hs-describe', after: ['move'] },
      ],
    },
  ],
};

describe('REST: graph workflows', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
  });
  afterAll(() => fx?.ns.cleanup());

  it("lists a graph request's steps with states, attempts, timings and output sizes; two sinks give parts", async () => {
    for (const [type, output] of [
      ['hs-move', 'moved!'],
      ['hs-check', 'sha'],
      ['hs-describe', '{"a":1}'],
    ] as const)
      await startTestWorker(
        fx.ns,
        { type, handler: () => ({ status: 'SUCCESS', body: Buffer.from(output) }) },
        [fx.manager],
      );
    await fx.http
      .post('/api/v1/requests')
      .send({ contentType: 'hs/flow', payload: { file: 'a.tif' }, requestId: 'hs-1' })
      .expect(202);
    await waitFor(
      async () => (await fx.http.get('/api/v1/requests/hs-1')).body?.state === 'SUCCESS',
      { what: 'hs-1 SUCCESS' },
    );
    const body = (await fx.http.get('/api/v1/requests/hs-1/steps').expect(200)).body as {
      id: string;
      graph: boolean;
      steps: Array<Record<string, string | number | null>>;
    };
    expect(body).toMatchObject({ id: 'hs-1', graph: true });
    expect(
      body.steps.map((step: Record<string, unknown>) => [
        step['stepId'],
        step['stepIndex'],
        step['workerType'],
        step['state'],
        step['dispatches'],
        step['attempt'],
        step['outputBytes'],
      ]),
    ).toEqual([
      ['move', 0, 'hs-move', 'SUCCESS', 1, 1, 6],
      ['check', 1, 'hs-check', 'SUCCESS', 1, 2, 3],
      ['describe', 2, 'hs-describe', 'SUCCESS', 1, 3, 7],
    ]);
    for (const step of body.steps as Array<Record<string, string | null>>) {
      expect(Date.parse(step['dispatchedAt']!)).toBeGreaterThanOrEqual(
        Date.parse(step['createdAt']!),
      );
      expect(Date.parse(step['finishedAt']!)).toBeGreaterThanOrEqual(
        Date.parse(step['dispatchedAt']!),
      );
    }
    // Steps are read through their request, never listed as requests.
    const listed = (await fx.http.get('/api/v1/requests').expect(200)).body as {
      items: Array<{ id: string }>;
    };
    expect(listed.items.map((item) => item.id)).toEqual(['hs-1']);
    // Two sinks: the kept output is their outputs as parts.
    const output = await fx.http
      .get('/api/v1/requests/hs-1/output')
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(output.headers['content-type']).toContain('application/vnd.wm.parts');
    const parts = parseParts(output.body as Buffer);
    expect(parts.ok && parts.value.map((part) => [part.stepId, part.body.toString()])).toEqual([
      ['check', 'sha'],
      ['describe', '{"a":1}'],
    ]);
  });

  it('answers 404 for the steps of an unknown request', async () => {
    expectProblem(await fx.http.get('/api/v1/requests/nope/steps'), 404, 'not_found');
  });

  it('refuses a graph configuration on import with the path of each problem', async () => {
    const refused = await fx.http
      .put('/api/v1/config')
      .send({
        workers: [{ type: 'hs-move' }],
        workflows: [
          {
            type: 'hs/bad',
            steps: [
              { id: 'a', worker: 'hs-move' },
              { id: 'b', worker: 'hs-ghost', after: ['a', 'c'] },
              { id: 'c', worker: 'hs-move', after: ['b'] },
            ],
          },
        ],
      })
      .expect(400);
    expect(refused.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'workflows[0].steps[1].worker', message: expect.stringContaining('hs-ghost') },
        {
          path: expect.stringMatching(/^workflows\[0\]\.steps\[\d\]\.after$/),
          message: expect.stringMatching(/^cycle: /),
        },
      ]),
    );
  });
});
