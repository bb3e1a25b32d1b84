import { type Browser } from 'playwright-core';
import { ConfigService } from '../../src/config/config.service';
import { type HttpFixture } from '../http/http-support';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const config = { workers: [{ type: 'cfg-first', contentTypes: ['cfg/first'] }] };

const withSecond = `workers:
  - type: cfg-first
    contentTypes: [cfg/first]
  - type: cfg-second
    contentTypes: [cfg/second]
`;

/** The configuration page: validation errors by path, a diff preview, an import honouring the version. */
describe('dashboard: configuration', () => {
  let fx: HttpFixture;
  let browser: Browser;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(config));
    fx.ns.workerTypes.add('cfg-first');
    fx.ns.workerTypes.add('cfg-second');
    fx.ns.workerTypes.add('cfg-third');
  });
  afterAll(() => fx?.ns.cleanup());

  it('shows errors by path, previews the diff, applies, and refuses an import over a newer version', async () => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/configuration'));
    const editor = page.locator('#config-document');
    await page.locator('#routes-table').waitFor();
    await expect(editor.inputValue()).resolves.toContain('cfg-first');

    await editor.fill('workers:\n  - type: cfg-bad\n    contentTypes: ["has space"]\n');
    await page.getByRole('button', { name: 'Preview' }).click();
    const issues = page.locator('#config-issues li');
    await issues.first().waitFor();
    await expect(issues.first().textContent()).resolves.toMatch(/^workers\[0\]\.contentTypes/);
    await expect(page.getByRole('button', { name: 'Apply' }).isDisabled()).resolves.toBe(true);

    await editor.fill(withSecond);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#config-diff').waitFor();
    const added = await page.locator('#config-diff .diff-add').allTextContents();
    expect(added.join('')).toContain('cfg-second');
    await screenshot(page, 'configuration-import');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#config-preview .notice-success').waitFor();
    const service = fx.manager.app.get(ConfigService);
    expect(service.workerTypes().sort()).toEqual(['cfg-first', 'cfg-second']);

    // Someone else imports after this preview: applying the preview is refused, nothing changes.
    await editor.fill(`${withSecond}  - type: cfg-third\n    contentTypes: [cfg/third]\n`);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#config-diff').waitFor();
    const put = await fetch(`http://127.0.0.1:${fx.manager.port}/api/v1/config`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        workers: [{ type: 'cfg-first', contentTypes: ['cfg/first', 'cfg/other'] }],
      }),
    });
    expect(put.status).toBe(200);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#config-preview .notice-error', { hasText: 'changed meanwhile' }).waitFor();
    expect(service.workerTypes()).toEqual(['cfg-first']);

    // The page's import, the other operator's (through the REST API), the refused one.
    const { rows } = await fx.db.query<{ outcome: string; via: string | null }>(
      "SELECT outcome, target->>'via' AS via FROM audit_log WHERE action = 'config-import' ORDER BY id",
    );
    expect(rows).toEqual([
      { outcome: 'done', via: null },
      { outcome: 'done', via: 'rest' },
      { outcome: expect.stringMatching(/^failed: /), via: null },
    ]);
    expectNoPageErrors(errors, [/status of 412/]);
    await context.close();
  });
});
