import { delimiter, isAbsolute } from 'node:path';

/** Where the mover may read and write when `FILE_MOVER_ROOTS` is not set. */
export const DEFAULT_FILE_MOVER_ROOTS: readonly string[] = ['/data'];

/**
 * The storage roots from `FILE_MOVER_ROOTS`: absolute directories separated by `:` (`;` on
 * Windows), like `PATH`. Validated once at boot so a typo fails the start, not every job.
 * @default DEFAULT_FILE_MOVER_ROOTS (`/data`)
 */
export function rootsFromEnv(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const raw = env.FILE_MOVER_ROOTS?.trim();
  if (!raw) return DEFAULT_FILE_MOVER_ROOTS;
  const roots = raw
    .split(delimiter)
    .map((root) => root.trim())
    .filter((root) => root.length > 0);
  const relative = roots.filter((root) => !isAbsolute(root));
  if (relative.length > 0) {
    throw new Error(
      `FILE_MOVER_ROOTS must list absolute directories separated by "${delimiter}"; ` +
        `not absolute: ${relative.join(', ')}`,
    );
  }
  return roots;
}
