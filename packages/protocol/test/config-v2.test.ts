import {
  parseConfigYaml,
  resolveDispatchPolicy,
  routesOf,
  unwrap,
  validateConfig,
} from '../src/index';

function issuesOf(input: unknown): string[] {
  const result = typeof input === 'string' ? parseConfigYaml(input) : validateConfig(input);
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('configuration v2: dispatch and retention', () => {
  it('reads maxInFlight, rateLimit, fairness, validatePayload and retention', () => {
    const config = unwrap(
      parseConfigYaml(`
workers:
  - type: mover
    contentTypes: [a/b]
    maxInFlight: 16
    rateLimit: { perSecond: 2.5 }
    fairness: tenant
    validatePayload: true
    keepSuccess: true
    retention: { success: 7d, errors: 3600000 }
`),
    );
    const worker = config.workers[0];
    expect(resolveDispatchPolicy(worker)).toEqual({
      maxInFlight: 16,
      rateLimit: { perSecond: 2.5, burst: 3 },
      fairness: 'tenant',
      validatePayload: true,
    });
    expect(routesOf(config).get('a/b')?.policy).toMatchObject({
      successRetentionMs: 7 * 86_400_000,
      errorRetentionMs: 3_600_000,
    });
  });

  it('defaults: no cap, no limit, no fairness, no validation, kept rows stay', () => {
    const config = unwrap(validateConfig({ workers: [{ type: 'w', contentTypes: ['a/b'] }] }));
    expect(resolveDispatchPolicy(config.workers[0])).toEqual({
      maxInFlight: undefined,
      rateLimit: undefined,
      fairness: 'none',
      validatePayload: false,
    });
    expect(resolveDispatchPolicy(undefined).fairness).toBe('none');
    expect(routesOf(config).get('a/b')?.policy).toMatchObject({
      successRetentionMs: undefined,
      errorRetentionMs: undefined,
    });
  });

  it('refuses bad values, each with its path', () => {
    const problems = issuesOf({
      workers: [
        {
          type: 'w',
          maxInFlight: 0,
          rateLimit: { perSecond: -1, burst: 0 },
          fairness: 'random',
          retention: { success: 'a week' },
        },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workers\[0\]\.maxInFlight: /),
        expect.stringMatching(/^workers\[0\]\.rateLimit\.perSecond: /),
        expect.stringMatching(/^workers\[0\]\.rateLimit\.burst: /),
        expect.stringMatching(/^workers\[0\]\.fairness: /),
        expect.stringMatching(/^workers\[0\]\.retention\.success: must be a duration/),
      ]),
    );
  });

  it('refuses retention that cannot apply', () => {
    expect(
      issuesOf({
        workers: [{ type: 'w', retention: { success: '1h' } }],
        workflows: [{ type: 'x/y', steps: ['w'], keepErrors: false, retention: { errors: '1h' } }],
      }),
    ).toEqual([
      'workers[0].retention.success: needs keepSuccess: true (successes are deleted at once otherwise)',
      'workflows[0].retention.errors: has no effect with keepErrors: false (failures are deleted at once)',
    ]);
  });
});
