import { type Client } from 'pg';
import request from 'supertest';
import { createTestNamespace, type TestNamespace } from '@org/testkit';
import { type RunningManager } from '../../src/start-manager';
import { type ManagerEnvironment } from '../../src/config/manager-environment';
import { database, startTestManager } from '../support/harness';

/** A manager replica serving HTTP on a free port, in its own namespace, for one test file. */
export interface HttpFixture {
  readonly ns: TestNamespace;
  readonly manager: RunningManager;
  readonly http: ReturnType<typeof request>;
  readonly db: Client;
}

/** Access lines are noise in test output unless asked for (WM_TEST_LOGS=1). */
export const TEST_LOG_ENV = { LOG_LEVEL: process.env['WM_TEST_LOGS'] ? 'info' : 'warn' };

export async function startHttpManager(
  ns: TestNamespace,
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
  env: Record<string, string> = {},
): Promise<RunningManager> {
  return startTestManager(
    ns,
    config,
    { http: true, port: 0, ...overrides },
    { ...TEST_LOG_ENV, ...env },
  );
}

/** One namespace and manager shared by the tests of a file (starting a replica per test would be slow). */
export async function createHttpFixture(
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
  env: Record<string, string> = {},
): Promise<HttpFixture> {
  const ns = await createTestNamespace('mh');
  try {
    const manager = await startHttpManager(ns, config, overrides, env);
    const db = await database(ns);
    return { ns, manager, db, http: request(manager.app.getHttpServer()) };
  } catch (error) {
    await ns.cleanup();
    throw error;
  }
}

export interface SeedOptions {
  readonly prefix: string;
  readonly count: number;
  readonly state: string;
  readonly workerType: string;
  readonly contentType?: string;
  readonly workflow?: string | null;
  readonly tenant?: string | null;
  readonly owner?: string | null;
  readonly session?: string | null;
  /** created_at of row g (1-based) is `start + g seconds`. @default now - 1 day */
  readonly createdStart?: Date;
}

/** Inserts `count` request rows straight into the table (ids `<prefix>-00001`…), as the manager would have recorded them. */
export async function seedRequests(db: Client, options: SeedOptions): Promise<void> {
  await db.query(
    `INSERT INTO requests (id, state, content_type, workflow, steps, step, worker_type, attempt, cycle_attempts, input,
       input_content_type, payload_sha256, tenant, owner, session, messages, created_at, updated_at)
     SELECT $1 || '-' || lpad(g::text, 5, '0'), $2, $3, $4, ARRAY[$5], 0, $5, 1, 1, convert_to('{"n":' || g || '}', 'UTF8'),
       $3, '\\x00'::bytea, $6, $7, $8,
       CASE WHEN $2 IN ('ERROR', 'INVALID_CONTENT') THEN ARRAY['seeded failure'] ELSE '{}'::text[] END,
       $9::timestamptz + g * interval '1 second', $9::timestamptz + g * interval '1 second'
     FROM generate_series(1, $10::int) AS g`,
    [
      options.prefix,
      options.state,
      options.contentType ?? 'test/seeded',
      options.workflow ?? null,
      options.workerType,
      options.tenant ?? null,
      options.owner ?? null,
      options.session ?? null,
      (options.createdStart ?? new Date(Date.now() - 86_400_000)).toISOString(),
      options.count,
    ],
  );
}

/** What the problem assertions read of a supertest response. */
export interface AnsweredCall {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const PROBLEM_MEMBERS = [
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'errors',
  'requestId',
] as const;

/**
 * The exact shape every failure answers with: RFC 9457 problem details as
 * `application/problem+json`, the stable code as the last segment of `type` and as `code`,
 * nothing but the standard members and the extensions `code`, `errors` and `requestId`.
 */
export function expectProblem(response: AnsweredCall, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toEqual(
    expect.objectContaining({
      type: `urn:wm:problem:${code}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      code,
      requestId: response.headers['x-request-id'],
    }),
  );
  for (const key of Object.keys(response.body as object))
    expect(PROBLEM_MEMBERS as readonly string[]).toContain(key);
}
