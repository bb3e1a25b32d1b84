import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type ManagerEnvironment } from '../../src/config/manager-environment';
import { type RunningManager } from '../../src/start-manager';
import { createHttpFixture, type HttpFixture } from '../http/http-support';

/**
 * The browser the tests drive: Debian's Chromium (`.ci/run` installs the package), or the one
 * `WM_CHROMIUM_PATH` names (the GitHub workflow's preinstalled Chrome); never a downloaded one.
 * @default '/usr/bin/chromium'
 */
export const CHROMIUM = process.env['WM_CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Where the tests write their screenshots: `docs/dashboard` (committed, shown in the manager
 * README) when `WM_UPDATE_SCREENSHOTS=1`, else a temporary directory, so an ordinary test run
 * leaves the working tree clean. @default the temporary directory
 */
export const SCREENSHOTS =
  process.env['WM_UPDATE_SCREENSHOTS'] === '1'
    ? path.resolve(__dirname, '../../../../docs/dashboard')
    : path.join(tmpdir(), 'wm-dashboard-screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Root in CI containers: Chromium's sandbox needs user namespaces it may not have there.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/**
 * A manager listening for HTTP in its own namespace and a browser, started together; the browser
 * closes with the namespace (`fx.ns.cleanup()`).
 */
export async function startDashboardFixture(
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
  env: Record<string, string> = {},
): Promise<{ fx: HttpFixture; browser: Browser }> {
  const [fx, browser] = await Promise.all([
    createHttpFixture(config, overrides, env),
    launchBrowser(),
  ]);
  fx.ns.defer(() => browser.close());
  return { fx, browser };
}

/** The dashboard's base URL on a manager listening on 127.0.0.1. */
export function dashboardUrl(manager: RunningManager, page = ''): string {
  return `http://127.0.0.1:${manager.port}/dashboard${page}`;
}

/**
 * A page at 1280×800 whose script errors fail the test: every uncaught error and console error
 * is collected and checked by {@link expectNoPageErrors}.
 */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, errors };
}

/** Console errors the browser logs for an answered 4xx are expected where a test provokes them. */
export function expectNoPageErrors(errors: readonly string[], allowed: RegExp[] = []): void {
  expect(errors.filter((error) => !allowed.some((pattern) => pattern.test(error)))).toEqual([]);
}

/** Saves a full-page screenshot under {@link SCREENSHOTS}. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
