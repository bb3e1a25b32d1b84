import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STATES, HEADERS, MESSAGE_SPECS, REQUEST_STATES } from '../../protocol/src/index';
import { REPO_ROOT } from '../src/repo-root';
import {
  type ManagerBuild,
  asyncApiDescribedHeaders,
  buildManager,
  configKeys,
  documentedCalls,
  environmentDefaults,
  metricNames,
  notMentioned,
  openApiCalls,
  statesDefault,
  tableRows,
  undocumentedKeys,
  undocumentedMetrics,
  variableFields,
  variablesIn,
  yamlBlockAfter,
} from './support/docs-coverage';

// Issues 12 and 13 end with "README, manager README, docs/design.md, the AsyncAPI and OpenAPI
// documents describe every new header, state, key, variable and route, each with its default".
// These checks keep that true: each compares what the code defines (the protocol's names, the
// manager's environment parser, its OpenAPI builder, its configuration classes and metrics) with
// what the documents say, and names what is missing.

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

const MANAGER_README = read('apps/manager/README.md');
const DESIGN = read('docs/design.md');
const ASYNCAPI: unknown = JSON.parse(read('packages/protocol/contract/asyncapi.json'));
const ENVIRONMENT_HEADING = '### Environment';
const YAML_HEADING = '### YAML configuration (`WM_CONFIG`, `GET|PUT /api/v1/config`)';
const REST_HEADING = '## REST API';

/** The calls of the README's REST table (a route named only in passing elsewhere does not count). */
function restTableCalls(markdown: string): Set<string> {
  return documentedCalls(
    tableRows(markdown, REST_HEADING)
      .map(([call]) => call ?? '')
      .join('\n'),
  );
}

/** The files that parse the manager's environment (the operator interface's included). */
const ENVIRONMENT_FILES = [
  'apps/manager/src/config/manager-environment.ts',
  'apps/manager/src/http/http-options.ts',
  'apps/manager/src/logging/logger.ts',
];
/** Node's own variable: the entry point only looks whether a heap flag is already in it. */
const NOT_THE_MANAGERS = ['NODE_OPTIONS'];

function managerSources(): string[] {
  return readdirSync(join(REPO_ROOT, 'apps/manager/src'), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => read(join('apps/manager/src', path)));
}

function managerVariables(): string[] {
  return variablesIn(ENVIRONMENT_FILES.map(read), managerSources()).filter(
    (name) => !NOT_THE_MANAGERS.includes(name),
  );
}

describe('documentation of contract v2 (issues 12 and 13)', () => {
  let build: ManagerBuild;

  beforeAll(async () => {
    build = await buildManager();
  }, 60_000);

  describe('manager environment', () => {
    const table = environmentDefaults(MANAGER_README, ENVIRONMENT_HEADING);

    it('the manager README lists every variable the manager reads, each with a default', () => {
      const variables = managerVariables();
      // The reader must see the variables at all, or the comparison below proves nothing.
      expect(variables).toEqual(
        expect.arrayContaining([
          'AMQP_URL',
          'WM_NAMESPACE',
          'WM_MAX_INFLIGHT_BYTES',
          'WM_DEDUP_RETENTION_MS',
          'WM_MAX_BODY_BYTES',
          'LOG_LEVEL',
        ]),
      );
      expect(variables.filter((name) => !table.has(name))).toEqual([]);
      expect([...table].filter(([, cell]) => cell === '').map(([name]) => name)).toEqual([]);
    });

    it('states the default the code applies for each of them', () => {
      const fields = new Map([
        ...variableFields(read(ENVIRONMENT_FILES[0]!)),
        ...variableFields(read(ENVIRONMENT_FILES[1]!)),
      ]);
      expect(fields.get('WM_DEDUP_RETENTION_MS')).toBe('dedupRetentionMs');
      expect(fields.get('WM_MAX_BODY_BYTES')).toBe('maxBodyBytes');
      const [first, second] = build.environments;
      const checked: string[] = [];
      const wrong: string[] = [];
      for (const [variable, field] of fields) {
        const value = field in first ? first[field] : build.httpOptions[field];
        // A default drawn at random (the replica id) differs between two reads: not comparable.
        if (field in first && JSON.stringify(value) !== JSON.stringify(second[field])) continue;
        if (typeof value !== 'number' && typeof value !== 'string') continue;
        checked.push(variable);
        const cell = table.get(variable) ?? '';
        if (!statesDefault(cell, value)) wrong.push(`${variable}: code ${value}, README "${cell}"`);
      }
      expect(checked.length).toBeGreaterThanOrEqual(15);
      expect(wrong).toEqual([]);
    });
  });

  describe('headers', () => {
    const headers = Object.values(HEADERS);

    it('the AsyncAPI document describes every header of the protocol', () => {
      expect(headers).toEqual(expect.arrayContaining(['wm-priority', 'wm-batch', 'x-death']));
      const described = asyncApiDescribedHeaders(ASYNCAPI, headers);
      expect(headers.filter((name) => !described.includes(name))).toEqual([]);
    });

    it('docs/design.md names every header of the protocol', () => {
      expect(notMentioned(DESIGN, headers)).toEqual([]);
    });

    it('the manager README names every header a request may carry', () => {
      const request = MESSAGE_SPECS.find((spec) => spec.name === 'request');
      const names = [...(request?.required ?? []), ...(request?.optional ?? [])].map(
        (field) => field.name,
      );
      expect(names).toEqual(expect.arrayContaining(['wm-priority', 'wm-not-before', 'wm-notify']));
      expect(notMentioned(MANAGER_README, names)).toEqual([]);
    });
  });

  describe('states', () => {
    it('docs/design.md names every request state and every event state', () => {
      expect(notMentioned(DESIGN, [...REQUEST_STATES, ...EVENT_STATES])).toEqual([]);
    });

    it('the manager README names every request state', () => {
      expect(REQUEST_STATES).toEqual(expect.arrayContaining(['QUEUED', 'SCHEDULED']));
      expect(notMentioned(MANAGER_README, [...REQUEST_STATES])).toEqual([]);
    });
  });

  it('the REST table of the manager README has every route of the OpenAPI document the manager builds', () => {
    const calls = openApiCalls(build.document);
    expect(calls).toEqual(
      expect.arrayContaining([
        'GET /api/v1/requests/{id}/output',
        'POST /api/v1/workers/{type}/pause',
        'GET /health/ready',
      ]),
    );
    const documented = restTableCalls(MANAGER_README);
    expect(calls.filter((call) => !documented.has(call))).toEqual([]);
  });

  it('the manager README shows every configuration key, each optional one with its default', () => {
    const keys = configKeys(read('packages/protocol/src/config/manager-config.ts'));
    expect(keys.map(({ key }) => key)).toEqual(
      expect.arrayContaining([
        'maxInFlight',
        'rateLimit',
        'perSecond',
        'burst',
        'fairness',
        'validatePayload',
        'keepSuccess',
        'retention',
        'success',
        'errors',
      ]),
    );
    const yaml = yamlBlockAfter(MANAGER_README, YAML_HEADING);
    expect(yaml).not.toBe('');
    expect(undocumentedKeys(yaml, keys)).toEqual([]);
  });

  it('the manager README explains every metric the manager registers', () => {
    const names = metricNames(read('apps/manager/src/metrics/manager-metrics.ts'));
    expect(names).toEqual(expect.arrayContaining(['wm_waiting_requests', 'wm_dispatch_window']));
    expect(undocumentedMetrics(MANAGER_README, names)).toEqual([]);
  });
});

// The checks above pass on today's documents; these show each one fails when a document loses
// what it must say.
describe('the documentation checks catch an omission', () => {
  const without = (text: string, part: string): string => {
    expect(text).toContain(part);
    return text.split(part).join('');
  };

  it('a variable row removed, or a default that differs from the code', () => {
    const row = MANAGER_README.split('\n').find((line) =>
      line.startsWith('| `WM_DEDUP_RETENTION_MS`'),
    );
    const table = environmentDefaults(without(MANAGER_README, `${row}\n`), ENVIRONMENT_HEADING);
    expect(table.has('WM_DEDUP_RETENTION_MS')).toBe(false);
    expect(table.has('WM_MAX_INFLIGHT_BYTES')).toBe(true);
    expect(statesDefault('`30000`', 60_000)).toBe(false);
    expect(statesDefault('`67108864` (64 MiB)', 67_108_864)).toBe(true);
  });

  it('a header only in the generated name map, or missing from the design', () => {
    const bare = { 'x-headers': { batch: 'wm-batch' }, info: { description: 'nothing' } };
    expect(asyncApiDescribedHeaders(bare, ['wm-batch'])).toEqual([]);
    // `wm-step` is not described by a text that only names `wm-step-id`.
    expect(asyncApiDescribedHeaders({ info: { description: 'wm-step-id' } }, ['wm-step'])).toEqual(
      [],
    );
    expect(notMentioned(without(DESIGN, '`wm-not-before`'), ['wm-not-before'])).toEqual([
      'wm-not-before',
    ]);
  });

  it('a route row removed, even while the route is named elsewhere or a longer one remains', () => {
    const row = MANAGER_README.split('\n').find((line) =>
      line.startsWith('| `GET /api/v1/requests/{id}/output`'),
    );
    const doctored = without(MANAGER_README, `${row}\n`);
    expect(doctored).toContain('`GET /api/v1/requests/{id}/output`');
    const calls = restTableCalls(doctored);
    expect(calls.has('GET /api/v1/requests/{id}/output')).toBe(false);
    expect(calls.has('GET /api/v1/requests/{id}')).toBe(true);
    expect(calls.has('POST /api/v1/requests/retry')).toBe(true);
  });

  it('a configuration key without its default', () => {
    const keys = [{ key: 'maxInFlight', required: false }];
    expect(undocumentedKeys('    maxInFlight: 64\n', keys)).toEqual(['maxInFlight']);
    expect(undocumentedKeys('    maxInFlight: 64 # default none\n', keys)).toEqual([]);
  });
});
