import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is `packages/sim/dist/cluster/paths.js` once built). */
export function repositoryRoot(): string {
  return resolve(__dirname, '../../../..');
}

/** `node apps/manager/dist/main.js`: what `pnpm build` produces. */
export function managerMain(): string {
  return join(repositoryRoot(), 'apps/manager/dist/main.js');
}

/** Where children's logs go: `.sim-out/` at the repository root (ignored by git). */
export function simOutDir(): string {
  const dir = join(repositoryRoot(), '.sim-out');
  mkdirSync(dir, { recursive: true });
  return dir;
}
