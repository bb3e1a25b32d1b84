import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The workspace root: this file runs from `packages/bench/dist/support`. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

/** The built manager entry point, run as a child process so its RSS and CPU are its own. */
export const MANAGER_MAIN = join(REPO_ROOT, 'apps/manager/dist/main.js');

/** Built entry points of the bench's own child processes. */
export const WORKER_SCRIPTS = {
  raw: resolve(__dirname, '../workers/raw-consumer.js'),
  sdk: resolve(__dirname, '../workers/sdk-noop-worker.js'),
  bullmq: resolve(__dirname, '../workers/bullmq-worker.js'),
} as const;

/** Logs of child processes and temporary configuration files (git-ignored). */
export function benchOutDir(): string {
  const dir = join(REPO_ROOT, '.bench-out');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const DOCS_DIR = join(REPO_ROOT, 'docs');
