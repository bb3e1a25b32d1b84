import { type Browser } from 'playwright-core';
import { waitFor } from '@org/testkit';
import { type HttpFixture } from '../http/http-support';
import { PlainInstance } from '../support/plain-instance';
import { startSdkWorker } from '../support/sdk-worker';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const config = { workers: [{ type: 'dash-thumbs', contentTypes: ['dash/image'] }] };

/** The workers page follows a real SDK worker starting, draining and stopping, without reload. */
describe('dashboard: workers', () => {
  let fx: HttpFixture;
  let browser: Browser;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(config));
  });
  afterAll(() => fx?.ns.cleanup());

  it('shows a worker starting, draining (ordered from the page) and stopping; pause and resume', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/workers'));
    const section = page.locator('section[data-type="dash-thumbs"]');
    await section.getByText('No instance running.').waitFor();
    await page.locator('#live-state', { hasText: 'connected' }).waitFor();

    const worker = await startSdkWorker(
      fx.ns,
      {
        type: 'dash-thumbs',
        description: 'Makes thumbnails of images',
        handler: (_job, ctx) => ctx.success(),
      },
      [fx.manager],
    );
    const id = worker.instanceId;
    const status = section.locator(`[data-instance="${id}"]`);
    // Started: the row appears with status ready, no reload.
    await status.filter({ hasText: 'ready' }).waitFor();
    await section.getByText('Makes thumbnails of images').waitFor();
    await screenshot(page, 'workers');

    // Drain from the page: the order reaches the SDK, whose next heartbeat says draining.
    await section.getByRole('button', { name: 'Drain' }).click();
    await status.filter({ hasText: 'draining' }).waitFor();
    await waitFor(() => worker.stats().status === 'draining', { what: 'the SDK worker draining' });
    await section.getByRole('button', { name: 'Resume', exact: true }).click();
    await status.filter({ hasText: 'ready' }).waitFor();

    // Pause and resume the type's dispatch.
    await section.getByRole('button', { name: 'Pause dash-thumbs' }).click();
    await section.locator('.badge', { hasText: 'paused' }).waitFor();
    await section.getByRole('button', { name: 'Resume dash-thumbs' }).click();
    await section.getByRole('button', { name: 'Pause dash-thumbs' }).waitFor();

    // Stopped: the instance unregisters and leaves the page.
    await worker.stop();
    await section.getByText('No instance running.').waitFor();

    const { rows } = await fx.db.query<{ action: string; target: unknown }>(
      'SELECT action, target FROM audit_log ORDER BY id',
    );
    expect(rows.map((row) => row.action)).toEqual([
      'drain-instance',
      'resume-instance',
      'pause',
      'resume',
    ]);
    expect(rows[0]!.target).toEqual({ workerType: 'dash-thumbs', instance: id });
    expectNoPageErrors(errors);
    await context.close();
  });

  it('marks a silent instance stale once its heartbeats stop for longer than the expiry', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/workers'));
    await page.locator('#live-state', { hasText: 'connected' }).waitFor();
    const instance = await PlainInstance.register(fx.ns, 'dash-thumbs', { status: 'ready' });
    instance.beat(200);
    const status = page.locator(`[data-instance="${instance.id}"]`);
    await status.filter({ hasText: 'ready' }).waitFor();
    instance.silence();
    // Silent past WM_HEARTBEAT_EXPIRY_MS (1.5 s here): stale, without a reload; no drain offered.
    await status.filter({ hasText: 'stale' }).waitFor();
    const row = page.locator(`tr:has([data-instance="${instance.id}"])`);
    await expect(row.getByRole('button', { name: 'Drain' }).isDisabled()).resolves.toBe(true);
    expectNoPageErrors(errors);
    await context.close();
  });
});
