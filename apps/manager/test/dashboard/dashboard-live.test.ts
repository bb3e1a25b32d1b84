import { type Browser } from 'playwright-core';
import { publishRequest, waitFor } from '@org/testkit';
import { RequestCounters } from '../../src/requests/request-counters';
import { startSdkWorker } from '../support/sdk-worker';
import { type HttpFixture, createHttpFixture, seedRequests } from '../http/http-support';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const config = {
  workers: [
    { type: 'dash-live', contentTypes: ['dash/live'] },
    { type: 'dash-chart', contentTypes: ['dash/chart'] },
  ],
};

/** Live updates without server-sent events, the on/off control, export and bulk progress. */
describe('dashboard: live updates, export, progress', () => {
  let fx: HttpFixture;
  let browser: Browser;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(config));
    fx.ns.workerTypes.add('dash-live');
    await seedRequests(fx.db, {
      prefix: 'row',
      count: 3,
      state: 'ERROR',
      workerType: 'dash-live',
      contentType: 'dash/live',
      tenant: 'a,"b"',
    });
  });
  afterAll(() => fx?.ns.cleanup());

  it('draws per-minute charts from the jobs the manager applied', async () => {
    fx.ns.workerTypes.add('dash-chart');
    await startSdkWorker(
      fx.ns,
      {
        type: 'dash-chart',
        handler: (job, ctx) =>
          job.body.toString().includes('fail') ? ctx.error('asked to fail') : ctx.success(),
      },
      [fx.manager],
    );
    for (const body of ['a', 'b', 'c', 'fail'])
      publishRequest(fx.ns, {
        requestId: `chart-${body}`,
        contentType: 'dash/chart',
        body: Buffer.from(body),
      });
    const counters = fx.manager.app.get(RequestCounters);
    await waitFor(
      () => (counters.applied['SUCCESS'] ?? 0) >= 3 && (counters.applied['ERROR'] ?? 0) >= 1,
      {
        what: 'four jobs answered',
      },
    );
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager));
    const figure = page.locator('figure[data-type="dash-chart"]');
    await expect(figure.locator('figcaption').textContent()).resolves.toBe(
      'dash-chart — 3 succeeded, 1 failed in the last hour',
    );
    // Durations are drawn when this replica published the jobs (it did).
    await expect(figure.locator('.chart-legend').last().textContent()).resolves.toMatch(
      /^p50 max \d+, p95 max \d+$/,
    );
    // The succeeded requests are gone from the table (keepSuccess is off): the charts do not need them.
    const { rows } = await fx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM requests WHERE id LIKE 'chart-%'",
    );
    expect(rows[0]!.n).toBe(1);
    await screenshot(page, 'overview-charts');
    expectNoPageErrors(errors);
    await context.close();
  });

  it('falls back to polling when the event stream is unavailable, and can be turned off', async () => {
    const { context, page, errors } = await openPage(browser);
    // A proxy that drops server-sent events: the page must notice and poll instead.
    await page.route('**/dashboard/api/events', (route) => route.abort());
    await page.goto(dashboardUrl(fx.manager));
    await page.locator('#live-state', { hasText: 'polling' }).waitFor();
    await seedRequests(fx.db, {
      prefix: 'late',
      count: 2,
      state: 'SUCCESS',
      workerType: 'dash-live',
      contentType: 'dash/live',
    });
    await page.locator('#state-counts li[data-state="SUCCESS"] .count', { hasText: '2' }).waitFor();

    const toggle = page.getByRole('button', { name: 'Live updates: on' });
    await toggle.click();
    const off = page.getByRole('button', { name: 'Live updates: off' });
    await expect(off.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(page.locator('#live-state').textContent()).resolves.toBe('');
    // The choice is kept across reloads.
    await page.reload();
    await page.getByRole('button', { name: 'Live updates: off' }).waitFor();
    expectNoPageErrors(errors, [/ERR_FAILED/, /EventSource/]);
    await context.close();
  });

  it('never piles up calls when the manager is slow, and pauses while the tab is hidden', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager));
    const state = page.locator('#live-state');
    await state.filter({ hasText: 'connected' }).waitFor();
    // From now on the overview's data call hangs until released: a slow manager.
    let calls = 0;
    let release: (() => void) | undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/dashboard/api/overview', async (route) => {
      calls += 1;
      await released;
      await route.continue();
    });
    const signals = async () => Number((await state.getAttribute('data-signals')) ?? 0);
    const before = await signals();
    for (let change = 1; change <= 3; change++) {
      await seedRequests(fx.db, {
        prefix: `burst${change}`,
        count: 1,
        state: 'SUCCESS',
        workerType: 'dash-live',
        contentType: 'dash/live',
      });
      await state.and(page.locator(`[data-signals="${before + change}"]`)).waitFor();
    }
    // Three signals, one call: the others wait for it instead of stacking up behind it.
    expect(calls).toBe(1);
    release!();
    await page.locator('#state-counts li[data-state="SUCCESS"] .count', { hasText: '5' }).waitFor();
    // One more refresh ran for the signals that came meanwhile, not three.
    await page.locator('#state-counts').waitFor();
    expect(calls).toBeLessThanOrEqual(2);

    await page.evaluate(`Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));`);
    await state.filter({ hasText: 'paused while hidden' }).waitFor();
    await page.evaluate(`Object.defineProperty(document, 'hidden', { value: false, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));`);
    await state.filter({ hasText: 'connected' }).waitFor();
    expectNoPageErrors(errors);
    await context.close();
  });

  it('exports the current filter as CSV and JSON', async () => {
    const { context, page } = await openPage(browser);
    await page.goto(
      dashboardUrl(fx.manager, '/requests?state=ERROR&workerType=dash-live&sort=createdAt'),
    );
    const csvHref = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    expect(csvHref).toBe(
      '/dashboard/api/requests/export?state=ERROR&workerType=dash-live&sort=createdAt&format=csv',
    );
    const csv = await page.request.get(`http://127.0.0.1:${fx.manager.port}${csvHref!}`);
    expect(csv.headers()['content-disposition']).toBe('attachment; filename="requests.csv"');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,state,contentType,workerType,workflow,step,attempt,priority,tenant,owner,session,parentId,createdAt,updatedAt,messages',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^row-00001,ERROR,dash\/live,dash-live,,0,1,0,"a,""b""",,,,.*,seeded failure$/,
    );
    const jsonHref = await page.getByRole('link', { name: 'JSON' }).getAttribute('href');
    const json = (await (
      await page.request.get(`http://127.0.0.1:${fx.manager.port}${jsonHref!}`)
    ).json()) as Array<{ id: string }>;
    expect(json.map((row) => row.id)).toEqual(['row-00001', 'row-00002', 'row-00003']);
    await context.close();
  });

  it('reports the progress of a bulk action under the id the page gave it', async () => {
    const base = `http://127.0.0.1:${fx.manager.port}/dashboard/api`;
    const { csrfToken } = (await (await fetch(`${base}/session`)).json()) as { csrfToken: string };
    const retried = await fetch(`${base}/actions/retry?state=ERROR&workerType=dash-live`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-CSRF-Token': csrfToken,
        'X-Action-Id': 'progress-1',
      },
      body: JSON.stringify({ scope: 'filter' }),
    });
    expect(await retried.json()).toEqual({ count: 3, skipped: 0 });
    const progress = await fetch(`${base}/actions/progress/progress-1`);
    expect(await progress.json()).toEqual({ count: 3, skipped: 0, done: true });
    expect((await fetch(`${base}/actions/progress/unknown`)).status).toBe(404);
  });
});

/** An open event stream never holds a graceful stop (the drain waits for calls in flight). */
describe('dashboard: event streams and shutdown', () => {
  it('ends the streams when the replica stops, well before the shutdown timeout', async () => {
    // 120 s to finish calls in flight: a stream still open would hold close() past this test's timeout.
    const fx = await createHttpFixture(config, {}, { WM_SHUTDOWN_TIMEOUT_MS: '120000' });
    try {
      const response = await fetch(dashboardUrl(fx.manager, '/api/events'));
      const reader = response.body!.getReader();
      // The stream is open once its baseline is read and `hello` arrives.
      let received = '';
      while (!received.includes('event: hello')) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the stream ended before hello: ${received}`);
        received += new TextDecoder().decode(chunk.value);
      }
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();
      await fx.manager.close();
      await expect(ended).resolves.toBe(true);
    } finally {
      await fx.ns.cleanup();
    }
  }, 30_000);
});
