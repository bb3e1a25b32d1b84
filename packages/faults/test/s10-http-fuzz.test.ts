import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startManager } from '@org/manager';
import { ScenarioRun, withNamespace } from '../src/index';

const OPERATE = 'fuzz-operate-key-0123456789';
const READ = 'fuzz-read-key-0123456789ab';
const CONFIG = 'workers:\n  - type: echo\n    contentTypes: [echo/in]\n';

interface Case {
  readonly name: string;
  readonly key?: string;
  readonly contentType?: string;
  readonly body?: string | Buffer;
  /** Statuses that pass; every other one is a violation. */
  readonly expect: readonly number[];
}

const big = Buffer.alloc(5 * 1024 * 1024, 'a');
const bodyCases: Case[] = [
  { name: 'malformed JSON', body: '{"contentType": "echo/in", ', expect: [400] },
  {
    name: 'wrong types',
    body: '{"contentType": 42, "payload": [1], "requestId": {"a": 1}, "limit": "x"}',
    expect: [400, 404, 409],
  },
  {
    name: 'unknown fields',
    body: '{"contentType": "echo/in", "payload": {}, "bogus": true, "workers": 7}',
    expect: [400, 404, 409],
  },
  {
    name: '__proto__',
    body: '{"contentType": "echo/in", "payload": {"__proto__": {"polluted": "yes"}}}',
    expect: [400],
  },
  {
    name: 'constructor.prototype',
    body: '{"constructor": {"prototype": {"polluted": "yes"}}}',
    expect: [400],
  },
  {
    name: 'huge body',
    body: Buffer.concat([Buffer.from('{"payload":"'), big, Buffer.from('"}')]),
    expect: [413],
  },
  {
    name: 'not JSON media type',
    contentType: 'text/plain',
    body: 'contentType=echo/in',
    expect: [415],
  },
];

describe('scenario 10: HTTP fuzzing of every REST route', () => {
  it('answers 4xx with the one error shape, writes nothing, pollutes nothing, stays up', async () => {
    const run = new ScenarioRun({
      id: 10,
      title: 'HTTP fuzzing of every REST route',
      fault:
        'malformed JSON, wrong types, unknown fields, __proto__ / constructor.prototype, a 5 MiB body, a wrong media type, missing / bad / under-privileged API keys',
      load: 'every route of the OpenAPI document x every case',
    });
    const result = await withNamespace('f10', async (ns) => {
      const configPath = join(ns.dir, 'manager.yaml');
      writeFileSync(configPath, CONFIG);
      const manager = await startManager(
        { port: 0 },
        {
          env: {
            ...ns.env(),
            WM_CONFIG: configPath,
            WM_API_KEYS: `ops:operate:${OPERATE},viewer:read:${READ}`,
            LOG_LEVEL: 'silent',
          },
          logger: false,
        },
      );
      ns.defer(() => manager.close());
      const base = `http://127.0.0.1:${manager.port}`;
      const call = async (method: string, path: string, c: Partial<Case>) => {
        const headers: Record<string, string> = {};
        if (c.key) headers['x-api-key'] = c.key;
        if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
        const response = await fetch(`${base}${path}`, { method, headers, body: c.body });
        const text = await response.text();
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        return { status: response.status, json };
      };
      const docs = (await call('GET', '/api/docs-json', { key: READ })).json as {
        paths: Record<string, Record<string, unknown>>;
      };
      const configBefore = JSON.stringify(
        (await call('GET', '/api/v1/config', { key: READ })).json,
      );
      let calls = 0;
      const routes: string[] = [];
      for (const [template, operations] of Object.entries(docs.paths)) {
        const path = template.replace(/\{[^}]+\}/g, 'no-such-id');
        for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
          routes.push(`${method} ${template}`);
          const isPublic = path.startsWith('/health');
          const cases: Case[] = [
            ...(isPublic
              ? []
              : [
                  { name: 'no API key', expect: [401] },
                  { name: 'unknown API key', key: 'not-a-key-at-all-000000', expect: [401] },
                  ...(method === 'GET'
                    ? []
                    : [{ name: 'read key on a write route', key: READ, expect: [403] }]),
                ]),
            ...(method === 'GET'
              ? [{ name: 'bad query', key: OPERATE, expect: [200, 400, 404] }]
              : bodyCases.map((c) => ({
                  ...c,
                  key: OPERATE,
                  // DELETE routes take no body: refusing the call for its query or id first is fine.
                  expect: method === 'DELETE' ? [...c.expect, 400, 404] : c.expect,
                }))),
          ];
          for (const c of cases) {
            const target =
              c.name === 'bad query'
                ? `${path}?limit=-1&state=NOPE&createdAfter=yesterday&__proto__[x]=1`
                : path;
            const { status, json } = await call(method, target, c);
            calls += 1;
            const label = `${method} ${template} (${c.name}): ${status}`;
            run.expect(c.expect.includes(status), `${label}, expected ${c.expect.join('/')}`);
            if (status >= 400) {
              // RFC 9457 problem details, with the stable code and the request id as extensions.
              const shaped =
                json !== undefined &&
                json['status'] === status &&
                json['type'] === `urn:wm:problem:${String(json['code'])}` &&
                typeof json['title'] === 'string' &&
                typeof json['detail'] === 'string' &&
                typeof json['instance'] === 'string' &&
                typeof json['code'] === 'string' &&
                typeof json['requestId'] === 'string';
              run.expect(
                shaped,
                `${label} without the error shape: ${JSON.stringify(json)?.slice(0, 200)}`,
              );
            }
          }
        }
      }
      run.note(`${routes.length} routes, ${calls} calls: ${routes.join(', ')}`);
      const rows = await ns.query<{ n: number }>('SELECT count(*)::int AS n FROM requests');
      run.expect(rows[0]?.n === 0, `${rows[0]?.n} request row(s) written by refused calls`);
      const configAfter = JSON.stringify((await call('GET', '/api/v1/config', { key: READ })).json);
      run.expect(configAfter === configBefore, 'the configuration changed');
      run.expect(Object.keys(Object.prototype).length === 0, 'Object.prototype was polluted');
      run.expect(
        ({} as Record<string, unknown>)['polluted'] === undefined,
        'Object.prototype.polluted is set',
      );
      run.expect(
        (await call('GET', '/health/live', {})).status === 200,
        'the manager stopped serving',
      );
      return run.finish(undefined, null);
    });
    expect(result.violations).toEqual([]);
  });
});
