import { type Browser } from 'playwright-core';
import { waitFor } from '@org/testkit';
import { type HttpFixture } from '../http/http-support';
import { startSdkWorker } from '../support/sdk-worker';
import {
  dashboardUrl,
  expectNoPageErrors,
  startDashboardFixture,
  openPage,
  screenshot,
} from './browser-support';

const config = {
  workers: [{ type: 'dg-move' }, { type: 'dg-check' }, { type: 'dg-describe' }],
  workflows: [
    {
      type: 'dg/flow',
      steps: [
        { id: 'move', worker: 'dg-move' },
        { id: 'check', worker: 'dg-check', after: ['move'] },
        { id: 'describe', worker: 'dg-describe', after: ['move'] },
      ],
    },
  ],
};

/** The detail of a graph request: every declared step, what it waits for, the failed one marked. */
describe('dashboard: graph workflows', () => {
  let fx: HttpFixture;
  let browser: Browser;

  beforeAll(async () => {
    ({ fx, browser } = await startDashboardFixture(config));
  });
  afterAll(() => fx?.ns.cleanup());

  it('shows each step of a failed graph request with the failing step marked', async () => {
    await startSdkWorker(
      fx.ns,
      { type: 'dg-move', handler: (_job, ctx) => ctx.success({ body: Buffer.from('moved') }) },
      [fx.manager],
    );
    await startSdkWorker(
      fx.ns,
      { type: 'dg-check', handler: (_job, ctx) => ctx.error('checksum mismatch') },
      [fx.manager],
    );
    await startSdkWorker(
      fx.ns,
      { type: 'dg-describe', handler: (_job, ctx) => ctx.success({ body: Buffer.from('{}') }) },
      [fx.manager],
    );
    await fx.http
      .post('/api/v1/requests')
      .send({ contentType: 'dg/flow', payload: { file: 'a.tif' }, requestId: 'dg-1' })
      .expect(202);
    await waitFor(
      async () => (await fx.http.get('/api/v1/requests/dg-1')).body?.state === 'ERROR',
      { what: 'dg-1 ERROR' },
    );

    const { context, page, errors } = await openPage(browser);
    await page.goto(dashboardUrl(fx.manager, '/requests/dg-1'));
    const step = (id: string) => page.locator(`#graph-steps [data-step="${id}"]`);
    await step('check').waitFor();
    await expect(step('move').getAttribute('data-mark')).resolves.toBe('done');
    await expect(step('check').getAttribute('data-mark')).resolves.toBe('failed');
    const checkRow = await page
      .locator('#graph-steps tr:has([data-step="check"]) td')
      .allTextContents();
    expect(checkRow[1]).toBe('dg-check');
    expect(checkRow[2]).toBe('move');
    expect(checkRow[6]).toContain('checksum mismatch');
    await screenshot(page, 'request-detail-graph');
    expectNoPageErrors(errors);
    await context.close();
  });
});
