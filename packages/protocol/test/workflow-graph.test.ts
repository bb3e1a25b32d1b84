import { routesOf, validateConfig, type ManagerConfig } from '../src';

const workers = [{ type: 'mover' }, { type: 'describer' }, { type: 'summer' }, { type: 'joiner' }];

function issuesOf(steps: unknown[]): string[] {
  const result = validateConfig({ workers, workflows: [{ type: 'g/flow', steps }] });
  return result.ok ? [] : result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

const diamond = [
  { id: 'move', worker: 'mover' },
  { id: 'describe', worker: 'describer', after: ['move'] },
  { id: 'sum', worker: 'summer', after: ['move'] },
  { id: 'join', worker: 'joiner', after: ['describe', 'sum'] },
];

describe('graph workflow validation (design 5.4)', () => {
  it('accepts a diamond and routes it with its graph, worker types in declared order', () => {
    const result = validateConfig({ workers, workflows: [{ type: 'g/flow', steps: diamond }] });
    expect(result.ok).toBe(true);
    const route = routesOf((result as { value: ManagerConfig }).value).get('g/flow');
    expect(route).toMatchObject({
      kind: 'workflow',
      steps: ['mover', 'describer', 'summer', 'joiner'],
      graph: { sinks: ['join'] },
    });
    expect(route?.kind === 'workflow' && route.graph?.steps[3]).toEqual({
      id: 'join',
      worker: 'joiner',
      after: ['describe', 'sum'],
      index: 3,
    });
  });

  it('keeps the v1 list as a chain without a graph', () => {
    const result = validateConfig({ workers, workflows: [{ type: 'g/flow', steps: ['mover'] }] });
    expect(result.ok).toBe(true);
    const route = routesOf((result as { value: ManagerConfig }).value).get('g/flow');
    expect(route).toMatchObject({ steps: ['mover'] });
    expect(route?.kind === 'workflow' && route.graph).toBeUndefined();
  });

  it('refuses a cycle with its path', () => {
    expect(
      issuesOf([
        { id: 'a', worker: 'mover' },
        { id: 'b', worker: 'mover', after: ['a', 'c'] },
        { id: 'c', worker: 'mover', after: ['b'] },
      ]),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workflows\[0\]\.steps\[\d\]\.after: cycle: /),
      ]),
    );
    const [cycle] = issuesOf([
      { id: 'a', worker: 'mover' },
      { id: 'b', worker: 'mover', after: ['a', 'c'] },
      { id: 'c', worker: 'mover', after: ['b'] },
    ]).filter((issue) => issue.includes('cycle'));
    expect(cycle).toMatch(/b → c → b|c → b → c/);
  });

  it('refuses an unknown parent, a self-loop and a duplicate id, each with its path', () => {
    expect(
      issuesOf([
        { id: 'a', worker: 'mover' },
        { id: 'b', worker: 'mover', after: ['ghost'] },
        { id: 'a', worker: 'describer' },
        { id: 'd', worker: 'mover', after: ['d'] },
      ]),
    ).toEqual(
      expect.arrayContaining([
        'workflows[0].steps[1].after[0]: "ghost" is not the id of a step of this workflow',
        'workflows[0].steps[2].id: "a" is already the id of workflows[0].steps[0]',
        'workflows[0].steps[3].after[0]: a step cannot follow itself',
      ]),
    );
  });

  it('refuses unreachable steps (downstream of a cycle) and a graph without a root', () => {
    const issues = issuesOf([
      { id: 'a', worker: 'mover' },
      { id: 'b', worker: 'mover', after: ['c'] },
      { id: 'c', worker: 'mover', after: ['b'] },
      { id: 'd', worker: 'joiner', after: ['a', 'c'] },
    ]);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^workflows\[0\]\.steps\[3\]: step "d" is unreachable/),
      ]),
    );
    expect(
      issuesOf([
        { id: 'x', worker: 'mover', after: ['y'] },
        { id: 'y', worker: 'mover', after: ['x'] },
      ]),
    ).toEqual(
      expect.arrayContaining([
        'workflows[0].steps: has no root step (a step without after) to start from',
      ]),
    );
  });

  it('refuses a worker type that does not exist, unknown keys, bad ids and mixed lists', () => {
    expect(
      issuesOf([
        { id: 'a', worker: 'ghost', speed: 'fast' },
        { id: 'Bad Id', worker: 'mover' },
        'mover',
      ]),
    ).toEqual(
      expect.arrayContaining([
        'workflows[0].steps[0].worker: "ghost" is not a worker type defined under workers',
        'workflows[0].steps[0].speed: is not a step key (known: id, worker, after)',
        expect.stringMatching(/^workflows\[0\]\.steps\[1\]\.id: must be a step id/),
        expect.stringMatching(/^workflows\[0\]\.steps\[2\]: must be a step object/),
      ]),
    );
    expect(issuesOf(['mover', { id: 'a', worker: 'mover' }])).toEqual([
      'workflows[0].steps[1]: must be a worker type, like the first step (a list is all worker types or all step objects)',
    ]);
  });

  it('refuses malformed parents and workers, each with its path', () => {
    expect(
      issuesOf([
        { id: 'a', worker: 'mover' },
        { id: 'b', worker: 'mover', after: 'a' },
        { id: 'c', worker: 7, after: ['a', 'a'] },
        { id: 'd', worker: 'mover', after: [1] },
      ]),
    ).toEqual([
      'workflows[0].steps[1].after: must be a list of step ids',
      'workflows[0].steps[2].worker: must be a worker type',
      'workflows[0].steps[2].after: lists "a" twice',
      'workflows[0].steps[3].after: must be a list of step ids',
    ]);
  });
});
