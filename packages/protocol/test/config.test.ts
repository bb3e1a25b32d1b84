import {
  parseConfigYaml,
  routesOf,
  validateConfig,
  retryDelayMs,
  RetryPolicy,
  unwrap,
} from '../src/index';

const sample = `
workers:
  - type: file-mover
    contentTypes: [product/raw]
    output: product/stored
    keepErrors: true
    timeoutMs: 600000
    retry: { maxAttempts: 3, backoffMs: 5000 }
  - type: metadata-extractor
    contentTypes: [product/stored]
workflows:
  - type: product/ingest
    steps: [file-mover, metadata-extractor]
skipContentTypes: [product/ignored]
`;

function issuesOf(input: unknown): string[] {
  const result = typeof input === 'string' ? parseConfigYaml(input) : validateConfig(input);
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('configuration', () => {
  it('accepts the design sample and routes every content type', () => {
    const config = unwrap(parseConfigYaml(sample));
    const routes = routesOf(config);
    expect(routes.get('product/raw')).toMatchObject({
      kind: 'worker',
      workerType: 'file-mover',
      policy: { keepErrors: true, timeoutMs: 600000 },
    });
    expect(routes.get('product/raw')?.policy.retry).toMatchObject({
      maxAttempts: 3,
      backoffMs: 5000,
    });
    expect(routes.get('product/ingest')).toMatchObject({
      kind: 'workflow',
      steps: ['file-mover', 'metadata-extractor'],
    });
    expect(routes.get('product/stored')?.policy).toMatchObject({
      keepErrors: true,
      keepSuccess: false,
      retry: { maxAttempts: 1 },
    });
    expect(config.skipContentTypes).toEqual(['product/ignored']);
  });

  it('accepts an empty document', () => {
    expect(unwrap(parseConfigYaml('')).workers).toEqual([]);
  });

  it('reports every problem with its path at once', () => {
    const issues = issuesOf({
      workers: [
        { type: 'Bad Type', contentTypes: ['a/b'] },
        { type: 'mover', contentTypes: ['a/b', 'has space'] },
        { type: 'mover', contentTypes: [] },
      ],
      workflows: [{ type: 'flow', steps: [] }],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workers\[0\]\.type: must match/),
        expect.stringMatching(/^workers\[1\]\.contentTypes: each value must be a content type/),
        expect.stringMatching(/^workflows\[0\]\.steps: /),
      ]),
    );
  });

  it('finds unknown workflow steps, doubled types and content types owned twice', () => {
    const issues = issuesOf({
      workers: [
        { type: 'mover', contentTypes: ['a/raw'] },
        { type: 'mover', contentTypes: [] },
        { type: 'extractor', contentTypes: ['a/raw', 'flow'] },
      ],
      workflows: [{ type: 'flow', steps: ['mover', 'ghost'] }],
      skipContentTypes: ['a/raw'],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'workers[1].type: "mover" is already defined by workers[0]',
        'workflows[0].steps[1]: "ghost" is not a worker type defined under workers',
        'workers[2].contentTypes[0]: content type "a/raw" is already routed by workers[0].contentTypes[0]',
        'workflows[0].type: content type "flow" is already routed by workers[2].contentTypes[1]',
        'skipContentTypes[0]: "a/raw" is skipped but also routed by workers[0].contentTypes[0]',
      ]),
    );
  });

  it('refuses unknown keys, wrong types and broken YAML with a location', () => {
    expect(issuesOf({ workers: [], wrokflows: [] })).toEqual([
      'wrokflows: is not a configuration key here (known: workers, workflows, skipContentTypes)',
    ]);
    expect(issuesOf({ workers: [{ type: 'a', contentTypes: 'x/y', timeoutMs: 'soon' }] })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workers\[0\]\.contentTypes: /),
        expect.stringMatching(/^workers\[0\]\.timeoutMs: /),
      ]),
    );
    expect(issuesOf({ workers: [{ type: 'a', retry: { maxAttempts: 0 } }] })).toEqual([
      'workers[0].retry.maxAttempts: must not be less than 1',
    ]);
    expect(issuesOf('workers: [\n  - type: a\n')[0]).toMatch(/^line \d+: /);
    expect(issuesOf([])).toEqual([
      '(root): must be an object with workers, workflows and skipContentTypes',
    ]);
  });

  it('reports every problem once: unknown keys, field rules and cross-checks together', () => {
    const issues = issuesOf({
      workers: [
        {
          type: 'mover',
          contentTypes: ['a/raw'],
          colour: 'red',
          retry: { maxAttempts: 0, tries: 2 },
        },
        { type: 'mover', contentTypes: ['a/raw', 'has space', 7], timeoutMs: 'soon' },
        5,
      ],
      workflows: [{ type: 'flow', steps: ['mover', 'ghost'], speed: 'fast' }],
      skipContentTypes: 'a/raw',
      wrokflows: [],
    });
    expect(issues).toEqual([
      'wrokflows: is not a configuration key here (known: workers, workflows, skipContentTypes)',
      'workers[0].colour: is not a configuration key here (known: type, contentTypes, output, description, maxInFlight, rateLimit, fairness, validatePayload, keepErrors, keepSuccess, timeoutMs, retry, retention)',
      'workers[0].retry.tries: is not a configuration key here (known: maxAttempts, backoffMs, backoffMultiplier, maxBackoffMs)',
      'workers[0].retry.maxAttempts: must not be less than 1',
      'workers[1].contentTypes: each value must be a content type without spaces, "*" or "#"',
      'workers[1].contentTypes: each value must be a string',
      'workers[1].timeoutMs: must be an integer number',
      'workers[2]: must be an object',
      'workflows[0].speed: is not a configuration key here (known: type, steps, contentTypes, description, keepErrors, keepSuccess, timeoutMs, retry, retention)',
      'skipContentTypes: must be an array',
      'workers[1].type: "mover" is already defined by workers[0]',
      'workflows[0].steps[1]: "ghost" is not a worker type defined under workers',
      'workers[1].contentTypes[0]: content type "a/raw" is already routed by workers[0].contentTypes[0]',
    ]);
    expect(new Set(issues).size).toBe(issues.length);
  });

  it('computes exponential retry delays with a cap', () => {
    const policy = Object.assign(new RetryPolicy(), {
      maxAttempts: 5,
      backoffMs: 1000,
      backoffMultiplier: 2,
      maxBackoffMs: 3000,
    });
    expect([2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt))).toEqual([
      1000, 2000, 3000, 3000,
    ]);
  });
});
