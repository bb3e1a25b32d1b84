import { type Browser } from 'playwright-core';
import { publishRequest, waitFor } from '@org/testkit';
import { type HttpFixture, seedRequests } from '../http/http-support';
import { startSdkWorker } from '../support/sdk-worker';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const config = {
  workers: [
    { type: 'dash-convert', contentTypes: ['dash/convert'] },
    { type: 'dash-extract', contentTypes: [] },
    { type: 'dash-store', contentTypes: [] },
  ],
  workflows: [{ type: 'dash/ingest', steps: ['dash-extract', 'dash-store'] }],
};

/** The overview, the requests list and detail, and the actions, in real Chromium. */
describe('dashboard: requests', () => {
  let fx: HttpFixture;
  let browser: Browser;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(config));
    fx.ns.workerTypes.add('dash-convert');
    await seedRequests(fx.db, {
      prefix: 'done',
      count: 120,
      state: 'SUCCESS',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
      tenant: 'acme',
    });
    await seedRequests(fx.db, {
      prefix: 'failed',
      count: 7,
      state: 'ERROR',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
      tenant: 'acme',
    });
    await seedRequests(fx.db, {
      prefix: 'other',
      count: 3,
      state: 'ERROR',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
      tenant: 'globex',
    });
    await seedRequests(fx.db, {
      prefix: 'waiting',
      count: 4,
      state: 'NO_WORKER_AVAILABLE',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
      tenant: 'globex',
    });
  });
  afterAll(() => fx?.ns.cleanup());

  async function countsByState(): Promise<Record<string, number>> {
    const { rows } = await fx.db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM requests GROUP BY state',
    );
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  }

  it('the overview shows the database counts, each a link to the filtered list', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager));
    await page.locator('#state-counts').waitFor();
    const expected = await countsByState();
    for (const [state, count] of Object.entries(expected)) {
      await expect(
        page.locator(`#state-counts li[data-state="${state}"] .count`).textContent(),
      ).resolves.toBe(String(count));
    }
    await expect(
      page.locator('#state-counts li[data-state="RUNNING"] .count').textContent(),
    ).resolves.toBe('0');
    await expect(page.locator('[data-count="dash-convert||ERROR"]').textContent()).resolves.toBe(
      String(expected['ERROR']),
    );
    // Keyboard: the first Tab reaches the skip link, and focus is visible (an outline is drawn).
    await page.keyboard.press('Tab');
    // (Expressions as strings: the tests' TypeScript has no DOM types.)
    await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to content');
    await expect(
      page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'),
    ).resolves.toBe('solid');
    await page.locator('#state-counts li[data-state="ERROR"] a').click();
    await page.waitForURL(/\/dashboard\/requests\?state=ERROR/);
    await expect(page.locator('#matching').textContent()).resolves.toBe('10 matching');
    expectNoPageErrors(errors);
    await context.close();
  });

  it('works on a phone-sized window, and shows the routing configuration', async () => {
    const { context, page, errors } = await openPage(browser, { width: 390, height: 844 });
    await page.goto(dashboardUrl(fx.manager));
    await page.locator('#state-counts').waitFor();
    // Nothing wider than the screen but the tables, which scroll inside their own box.
    await expect(
      page.evaluate<number>('document.documentElement.scrollWidth'),
    ).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'overview-phone');
    await page.getByRole('link', { name: 'Configuration' }).click();
    await page.locator('#routes-table tbody tr').first().waitFor();
    const routes = await page.locator('#routes-table tbody tr').allTextContents();
    expect(routes).toEqual(['dash/convertdash-convertworker', 'dash/ingestdash/ingestworkflow']);
    await screenshot(page, 'configuration');
    expectNoPageErrors(errors);
    await context.close();
  });

  it('filters and pages on the server, and a shared URL restores the same view', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests'));
    await page.locator('#filter-tenant').fill('acme');
    await page.locator('#filter-state').selectOption(['SUCCESS']);
    await page.locator('#filter-sort').selectOption('createdAt');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/tenant=acme/);
    await expect(page.locator('#matching').textContent()).resolves.toBe('120 matching');
    const rows = page.locator('#requests tbody tr');
    await expect(rows.first().getAttribute('data-id')).resolves.toBe('done-00001');
    expect(await rows.count()).toBe(50);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.locator('#requests tbody tr[data-id="done-00051"]').waitFor();
    expect(await rows.first().getAttribute('data-id')).toBe('done-00051');
    await screenshot(page, 'requests');

    // Search in the payload: the seeded inputs are {"n":<row>}.
    const search = await context.newPage();
    await search.goto(dashboardUrl(fx.manager, '/requests'));
    await search.locator('#filter-payload').fill('{"n":77}');
    await search.getByRole('button', { name: 'Apply filters' }).click();
    await search.waitForURL(/payload=/);
    await expect(search.locator('#matching').textContent()).resolves.toBe('1 matching');
    await expect(
      search.locator('#requests tbody tr').first().getAttribute('data-id'),
    ).resolves.toBe('done-00077');
    await search.close();
    // The same filter on the REST API (one service under both).
    const rest = await fx.http.get('/api/v1/requests').query({ payload: '{"n":77}' }).expect(200);
    const items = (rest.body as { items: Array<{ id: string }> }).items;
    expect(items.map((item) => item.id)).toEqual(['done-00077']);

    // The URL is the view: opened elsewhere, it shows the same page with the same filters.
    const shared = page.url();
    const other = await context.newPage();
    await other.goto(shared);
    await other.locator('#requests tbody tr[data-id="done-00051"]').waitFor();
    expect(await other.locator('#requests tbody tr').first().getAttribute('data-id')).toBe(
      'done-00051',
    );
    await expect(other.locator('#filter-tenant').inputValue()).resolves.toBe('acme');
    // Back returns to the first page.
    await page.goBack();
    await page.locator('#requests tbody tr[data-id="done-00001"]').waitFor();
    // Sorting by a column header is a link too.
    await page.getByRole('link', { name: /^Created/ }).click();
    await page.waitForURL(/sort=-createdAt/);
    await page.locator('#requests tbody tr[data-id="done-00120"]').waitFor();
    expectNoPageErrors(errors);
    await context.close();
  });

  it('shows the detail of a failed workflow step: the step marked, history, payload, messages', async () => {
    await startSdkWorker(
      fx.ns,
      {
        type: 'dash-extract',
        handler: (job, ctx) =>
          ctx.success({ body: Buffer.from(JSON.stringify({ extracted: job.body.toString() })) }),
      },
      [fx.manager],
    );
    await startSdkWorker(
      fx.ns,
      { type: 'dash-store', handler: (_job, ctx) => ctx.error('disk full on /store') },
      [fx.manager],
    );
    publishRequest(fx.ns, {
      requestId: 'wf-1',
      contentType: 'dash/ingest',
      body: Buffer.from('{"doc":"a.pdf","pages":3}'),
    });
    await waitFor(
      async () =>
        (await fx.db.query("SELECT 1 FROM requests WHERE id = 'wf-1' AND state = 'ERROR'"))
          .rowCount === 1,
      { what: 'wf-1 failed' },
    );

    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests/wf-1'));
    const steps = page.locator('#workflow-steps li');
    await steps.first().waitFor();
    await expect(steps.nth(0).getAttribute('data-mark')).resolves.toBe('done');
    await expect(steps.nth(1).getAttribute('data-mark')).resolves.toBe('failed');
    await expect(steps.nth(1).textContent()).resolves.toContain('dash-store');
    await expect(steps.nth(1).textContent()).resolves.toContain('failed here');
    await expect(page.locator('#messages').textContent()).resolves.toContain('disk full on /store');
    await expect(page.locator('#payload-preview').textContent()).resolves.toBe(
      // The failed step's stored input (what a retry replays): the first step's output.
      JSON.stringify({ extracted: '{"doc":"a.pdf","pages":3}' }, null, 2),
    );
    const history = await page.locator('#history-table tbody tr').allTextContents();
    expect(history.some((row) => row.includes('ERROR'))).toBe(true);
    // One row per recorded state change, as the database has them (RUNNING may be skipped when
    // the response arrives first, so the test compares with the table rather than a fixed list).
    const { rows: stored } = await fx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM request_history WHERE request_id = 'wf-1'",
    );
    expect(history).toHaveLength(stored[0]!.n);
    expect(history.some((row) => row.includes('dash-extract'))).toBe(true);
    // Cancel is not possible for an ERROR request: its button is disabled.
    await expect(
      page.getByRole('button', { name: 'Cancel', exact: true }).isDisabled(),
    ).resolves.toBe(true);
    await expect(
      page.getByRole('button', { name: 'Retry', exact: true }).isDisabled(),
    ).resolves.toBe(false);
    await screenshot(page, 'request-detail');
    expectNoPageErrors(errors);
    await context.close();
  });

  it('retries all requests matching a filter: preview count, confirmation, result, audit entry', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests?state=ERROR&tenant=globex'));
    await expect(page.locator('#matching').textContent()).resolves.toBe('3 matching');
    await page.getByRole('button', { name: 'Retry all matching…' }).click();
    const dialog = page.locator('dialog.confirm');
    await expect(dialog.locator('#confirm-question').textContent()).resolves.toBe(
      'Retry 3 requests matching this filter?',
    );
    await screenshot(page, 'bulk-retry-preview');
    await dialog.getByRole('button', { name: 'Yes, retry' }).click();
    await expect(page.locator('#action-status .notice').textContent()).resolves.toBe(
      '3 retried, 0 skipped',
    );
    const { rows } = await fx.db.query<{ state: string }>(
      "SELECT state FROM requests WHERE id LIKE 'other-%'",
    );
    expect(rows.every((row) => row.state !== 'ERROR')).toBe(true);
    // The acme failures were not part of the filter.
    const acme = await fx.db.query(
      "SELECT count(*)::int AS n FROM requests WHERE id LIKE 'failed-%' AND state = 'ERROR'",
    );
    expect(acme.rows[0].n).toBe(7);
    const audit = await fx.db.query(
      'SELECT actor, action, target, count, skipped, outcome FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    expect(audit.rows[0]).toEqual({
      actor: 'anonymous',
      action: 'retry',
      target: { filter: { state: ['ERROR'], tenant: 'globex' } },
      count: 3,
      skipped: 0,
      outcome: 'done',
    });
    expectNoPageErrors(errors);
    await context.close();
  });

  it('previews a binary payload as its size and first bytes, with the full download', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const submitted = await fx.http
      .post('/api/v1/requests')
      .send({
        requestId: 'binary-1',
        contentType: 'dash/convert',
        payloadBase64: bytes.toString('base64'),
      })
      .expect(202);
    expect(submitted.body).toMatchObject({ id: 'binary-1' });
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests/binary-1'));
    await expect(page.locator('#hex-head').textContent()).resolves.toBe(
      '89 50 4e 47 0d 0a 1a 0a 00 ff',
    );
    const download = page.getByRole('link', { name: 'Download input (10 B)' });
    const href = await download.getAttribute('href');
    const body = await (
      await page.request.get(`http://127.0.0.1:${fx.manager.port}${href!}`)
    ).body();
    expect(body.equals(bytes)).toBe(true);
    expectNoPageErrors(errors);
    await context.close();
  });

  it('cancels one waiting request from its page, and a selection from the list', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests/waiting-00001'));
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Yes, cancel' }).click();
    await expect(page.locator('#action-status .notice').textContent()).resolves.toBe(
      'Request cancelled.',
    );
    expect(
      (await fx.db.query("SELECT state FROM requests WHERE id = 'waiting-00001'")).rows[0].state,
    ).toBe('CANCELLED');

    await page.goto(dashboardUrl(fx.manager, '/requests?state=NO_WORKER_AVAILABLE&sort=createdAt'));
    await page.locator('#requests tbody tr[data-id="waiting-00002"]').waitFor();
    await page.getByLabel('Select waiting-00002').check();
    await page.getByLabel('Select waiting-00003').check();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await expect(page.locator('#confirm-question').textContent()).resolves.toBe(
      'Cancel 2 selected requests?',
    );
    await page.locator('dialog.confirm').getByRole('button', { name: 'Yes, cancel' }).click();
    await expect(page.locator('#action-status .notice').textContent()).resolves.toBe(
      '2 cancelled, 0 skipped',
    );
    const { rows } = await fx.db.query<{ id: string; state: string }>(
      "SELECT id, state FROM requests WHERE id LIKE 'waiting-%' ORDER BY id",
    );
    expect(rows.map((row) => row.state)).toEqual([
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
      'NO_WORKER_AVAILABLE',
    ]);
    expectNoPageErrors(errors);
    await context.close();
  });

  it('a live update arrives without a reload: the overview count and an "N new" indicator on the list', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests?workerType=dash-convert'));
    await page.locator('#requests tbody tr').first().waitFor();
    await page.locator('#live-state', { hasText: 'connected' }).waitFor();
    const firstBefore = await page.locator('#requests tbody tr').first().getAttribute('data-id');
    await seedRequests(fx.db, {
      prefix: 'fresh',
      count: 2,
      state: 'NO_WORKER_AVAILABLE',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
      createdStart: new Date(),
    });
    await page.getByRole('button', { name: '2 new — show' }).waitFor();
    // The rows did not jump: the first row is still the one shown before.
    expect(await page.locator('#requests tbody tr').first().getAttribute('data-id')).toBe(
      firstBefore,
    );
    await page.getByRole('button', { name: '2 new — show' }).click();
    await page.locator('#requests tbody tr[data-id="fresh-00002"]').waitFor();

    await page.goto(dashboardUrl(fx.manager));
    await page.locator('#live-state', { hasText: 'connected' }).waitFor();
    // SUCCESS: a state the engine leaves alone (a QUEUED row without workers would move on).
    const before = Number(
      await page.locator('#state-counts li[data-state="SUCCESS"] .count').textContent(),
    );
    await seedRequests(fx.db, {
      prefix: 'late',
      count: 5,
      state: 'SUCCESS',
      workerType: 'dash-convert',
      contentType: 'dash/convert',
    });
    await page
      .locator('#state-counts li[data-state="SUCCESS"] .count', { hasText: String(before + 5) })
      .waitFor();
    // By now the workflow test's jobs are in the charts (one extract succeeded, one store failed).
    await page.locator('figure[data-type="dash-store"]').waitFor();
    await screenshot(page, 'overview');
    expectNoPageErrors(errors);
    await context.close();
  });
});
