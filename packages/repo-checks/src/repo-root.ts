import { join } from 'node:path';

/** The repository's root folder (this package lives in `packages/repo-checks`). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
