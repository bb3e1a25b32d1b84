import { type HttpFixture, createHttpFixture } from './http-support';
import { type LintProblem, redoclyLint } from '../support/redocly-lint';

const config = { workers: [{ type: 'lint-worker', contentTypes: ['lint/raw'] }] };

const HEALTH_PROBES_HAVE_NO_4XX: readonly Partial<LintProblem>[] = [
  { ruleId: 'operation-4xx-response', pointer: '#/paths/~1health~1live/get/responses' },
  { ruleId: 'operation-4xx-response', pointer: '#/paths/~1health~1ready/get/responses' },
];

/** The served OpenAPI document as other people's tools read it: `redocly lint`, not our checks. */
describe('the OpenAPI document under @redocly/cli lint', () => {
  let fx: HttpFixture;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
    document = (await fx.http.get('/api/docs-json').expect(200)).body as Record<string, unknown>;
  });
  afterAll(() => fx?.ns.cleanup());

  it('has no error, and no warning but the two documented in redocly.yaml', async () => {
    const problems = await redoclyLint(document);
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(problems.map(({ ruleId, pointer }) => ({ ruleId, pointer }))).toEqual(
      HEALTH_PROBES_HAVE_NO_4XX,
    );
  }, 60_000);

  it('catches a broken document: no servers, an operation without summary, a JSON error body', async () => {
    const broken = JSON.parse(JSON.stringify(document)) as {
      servers: unknown[];
      paths: Record<
        string,
        Record<string, { summary?: string; responses: Record<string, unknown> }>
      >;
    };
    broken.servers = [];
    delete broken.paths['/api/v1/workers']!['get']!.summary;
    broken.paths['/api/v1/requests/{id}']!['get']!.responses['404'] = {
      description: 'not found',
      content: { 'application/json': { schema: { type: 'object' } } },
    };
    const errors = (await redoclyLint(broken))
      .filter((problem) => problem.severity === 'error')
      .map(({ ruleId, pointer }) => ({ ruleId, pointer }));
    expect(errors).toEqual(
      expect.arrayContaining([
        { ruleId: 'no-empty-servers', pointer: '#/servers' },
        { ruleId: 'operation-summary', pointer: '#/paths/~1api~1v1~1workers/get/summary' },
        {
          ruleId: 'operation-4xx-problem-details-rfc7807',
          pointer: '#/paths/~1api~1v1~1requests~1{id}/get/responses/404',
        },
      ]),
    );
  }, 60_000);
});
