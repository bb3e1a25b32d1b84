import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { waitFor } from '@org/testkit';
import { type HttpFixture, seedRequests } from '../http/http-support';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const READ_KEY = 'viewer-key-0123456789';
const OPERATE_KEY = 'operator-key-0123456789';
const config = { workers: [{ type: 'dash-secure', contentTypes: ['dash/secure'] }] };

/** Sign-in, the read and operate roles, CSRF protection and the audit log. */
describe('dashboard: access', () => {
  let fx: HttpFixture;
  let browser: Browser;
  let attacker: Server;
  let attackerOrigin: string;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(
      config,
      {},
      { WM_API_KEYS: `viewer:read:${READ_KEY},ops:operate:${OPERATE_KEY}` },
    ));
    fx.ns.workerTypes.add('dash-secure');
    await seedRequests(fx.db, {
      prefix: 'bad',
      count: 4,
      state: 'ERROR',
      workerType: 'dash-secure',
      contentType: 'dash/secure',
    });
    // Another site (localhost is not the same site as 127.0.0.1) whose page forges an action.
    attacker = createServer((_request, response) => {
      const target = `${dashboardUrl(fx.manager, '/api/actions/retry')}?state=ERROR`;
      response.setHeader('Content-Type', 'text/html');
      response.end(
        `<!doctype html><form id="f" method="POST" action="${target}" enctype="text/plain">` +
          `<input name='{"scope":"filter","x":"' value='"}'></form>` +
          `<script>fetch(${JSON.stringify(target)},{method:'POST',credentials:'include',mode:'no-cors',body:'{"scope":"filter"}'}).finally(()=>document.getElementById('f').submit())</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    fx.ns.defer(() => new Promise<void>((resolve) => attacker.close(() => resolve())));
  });
  afterAll(() => fx?.ns.cleanup());

  async function errorCount(): Promise<number> {
    const { rows } = await fx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM requests WHERE state = 'ERROR'",
    );
    return rows[0]!.n;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(dashboardUrl(fx.manager, '/requests'));
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1', { hasText: 'Overview' }).waitFor();
  }

  it('asks for a key, refuses a wrong one, and lets the read role see but not act', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager));
    await page.getByLabel('API key').waitFor();
    expect(page.url()).toMatch(/\/dashboard\/sign-in$/);
    // No data without a session.
    expect((await page.request.get(dashboardUrl(fx.manager, '/api/overview'))).status()).toBe(401);
    await page.getByLabel('API key').fill('not-a-valid-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in refused' }).waitFor();
    await screenshot(page, 'sign-in');

    await signIn(page, READ_KEY);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'wm_session',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/dashboard',
    });
    await page.goto(dashboardUrl(fx.manager, '/requests?state=ERROR'));
    await page.locator('#requests tbody tr[data-id="bad-00001"]').waitFor();
    await page.getByText('Your role can read, not act.').waitFor();
    await expect(
      page.getByRole('button', { name: 'Retry all matching…' }).isDisabled(),
    ).resolves.toBe(true);
    await page.getByLabel('Select bad-00001').check();
    await expect(page.getByRole('button', { name: 'Retry selected' }).isDisabled()).resolves.toBe(
      true,
    );
    // Even with its CSRF token, the read role's action is refused by the server.
    const refused = await page.evaluate(async () => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as {
        csrfToken: string;
      };
      const response = await fetch('/dashboard/api/actions/retry?state=ERROR', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
        body: JSON.stringify({ scope: 'filter' }),
      });
      return response.status;
    });
    expect(refused).toBe(403);
    expect(await errorCount()).toBe(4);
    expectNoPageErrors(errors, [/status of 40[13]/]);
    await context.close();
  });

  it('refuses a forged cross-site action, and one without the CSRF token', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, OPERATE_KEY);
    const [cookie] = await context.cookies();

    // A page on another site posts to the dashboard while the operator is signed in.
    const forged = await context.newPage();
    const answers: number[] = [];
    forged.on('response', (response) => {
      if (response.url().includes('/dashboard/api/actions/retry')) answers.push(response.status());
    });
    await forged.goto(attackerOrigin);
    await waitFor(() => answers.length >= 2, { what: 'both forged requests answered' });
    expect(answers.every((status) => status >= 400)).toBe(true);

    // With the session cookie but from another origin, or without the token: refused by the guard.
    const url = `${dashboardUrl(fx.manager, '/api/actions/retry')}?state=ERROR`;
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Cookie: `wm_session=${cookie!.value}`,
          ...headers,
        },
        body: JSON.stringify({ scope: 'filter' }),
      });
    const session = (await (
      await fetch(dashboardUrl(fx.manager, '/api/session'), {
        headers: { Cookie: `wm_session=${cookie!.value}` },
      })
    ).json()) as { csrfToken: string };
    const crossOrigin = await post({ Origin: attackerOrigin, 'X-CSRF-Token': session.csrfToken });
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { detail: string }).detail).toMatch(
      /cross-site request refused/,
    );
    expect((await post({})).status).toBe(403);
    expect((await post({ 'X-CSRF-Token': 'forged' })).status).toBe(403);
    expect(await errorCount()).toBe(4);
    const audit = await fx.db.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action <> 'sign-in'",
    );
    expect(audit.rows[0].n).toBe(0);
    await context.close();
  });

  it('lets the operate role act, and writes the audit log entry, shown on its page and over REST', async () => {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, OPERATE_KEY);
    await page.goto(dashboardUrl(fx.manager, '/requests?state=ERROR&sort=createdAt'));
    await page.locator('#requests tbody tr[data-id="bad-00001"]').waitFor();
    await page.getByLabel('Select bad-00001').check();
    await page.getByLabel('Select bad-00002').check();
    await page.getByRole('button', { name: 'Retry selected' }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Yes, retry' }).click();
    await expect(page.locator('#action-status .notice').textContent()).resolves.toBe(
      '2 retried, 0 skipped',
    );
    expect(await errorCount()).toBe(2);

    await page.getByRole('link', { name: 'Audit log' }).click();
    const first = page.locator('#audit-table tbody tr').first();
    await first.waitFor();
    const cells = await first.locator('td').allTextContents();
    expect(cells.slice(1)).toEqual([
      'ops',
      'retry',
      '{"ids":["bad-00001","bad-00002"]}',
      '2',
      '0',
      'done',
    ]);
    await screenshot(page, 'audit');

    const rest = await fetch(`http://127.0.0.1:${fx.manager.port}/api/v1/audit?limit=1`, {
      headers: { 'X-API-Key': READ_KEY },
    });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({
      items: [
        expect.objectContaining({
          actor: 'ops',
          action: 'retry',
          target: { ids: ['bad-00001', 'bad-00002'] },
          count: 2,
          skipped: 0,
          outcome: 'done',
        }),
      ],
    });
    expect((await fetch(`http://127.0.0.1:${fx.manager.port}/api/v1/audit`)).status).toBe(401);
    expectNoPageErrors(errors);
    await context.close();
  });

  it('writes the REST API actions to the same audit log, previews and submissions left out', async () => {
    const api = `http://127.0.0.1:${fx.manager.port}/api/v1`;
    const asOps = { 'X-API-Key': OPERATE_KEY };
    expect(
      (
        await fetch(`${api}/requests/retry?state=ERROR&dryRun=true`, {
          method: 'POST',
          headers: asOps,
        })
      ).status,
    ).toBe(200);
    expect(
      (await fetch(`${api}/requests/bad-00003/retry`, { method: 'POST', headers: asOps })).status,
    ).toBe(200);
    const bulk = await fetch(
      `${api}/requests/cancel?workerType=dash-secure&state=NO_WORKER_AVAILABLE`,
      { method: 'POST', headers: asOps },
    );
    expect(bulk.status).toBe(200);
    expect(
      (await fetch(`${api}/requests/no-such-request`, { method: 'DELETE', headers: asOps })).status,
    ).toBe(404);
    const { items } = (await (
      await fetch(`${api}/audit?limit=3`, { headers: { 'X-API-Key': READ_KEY } })
    ).json()) as {
      items: Array<{
        actor: string;
        action: string;
        target: unknown;
        count: number | null;
        outcome: string;
      }>;
    };
    expect(
      items.map(({ actor, action, target, outcome }) => ({ actor, action, target, outcome })),
    ).toEqual([
      {
        actor: 'ops',
        action: 'delete',
        target: { ids: ['no-such-request'], via: 'rest' },
        outcome: expect.stringMatching(/^failed: /),
      },
      {
        actor: 'ops',
        action: 'cancel',
        target: {
          filter: { workerType: 'dash-secure', state: 'NO_WORKER_AVAILABLE' },
          via: 'rest',
        },
        outcome: 'done',
      },
      {
        actor: 'ops',
        action: 'retry',
        target: { ids: ['bad-00003'], via: 'rest' },
        outcome: 'done',
      },
    ]);
    expect(items[1]!.count).toEqual(expect.any(Number));
  });

  // Last: it locks this address out of signing in for a minute.
  it('refuses sign-ins from an address after ten failures, even with a valid key', async () => {
    const signIn = (key: string) =>
      fetch(dashboardUrl(fx.manager, '/api/session'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key }),
      });
    // Earlier tests' wrong keys count too (failures are per address, within a minute).
    let failures = 0;
    for (;;) {
      const response = await signIn(`wrong-key-number-${failures}`);
      const { detail } = (await response.json()) as { detail: string };
      expect(response.status).toBe(401);
      if (/too many failed sign-ins/.test(detail)) break;
      failures += 1;
      expect(failures).toBeLessThanOrEqual(10);
    }
    const locked = await signIn(OPERATE_KEY);
    expect(locked.status).toBe(401);
    expect(((await locked.json()) as { detail: string }).detail).toMatch(/try again in \d+ s/);
  });
});
