import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, normalize, relative } from 'node:path';
import { InvalidContentError } from '@org/worker-sdk';
import { ProductMissingError } from './errors';

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The real path of the product at `location`, which must be an absolute path without `..` whose
 * real path (symlinks followed) is a regular file inside one of `roots`: a job cannot make the
 * extractor read, and echo facts about, files it was not meant to see.
 */
export async function locateProduct(
  location: string,
  roots: readonly string[],
): Promise<{ path: string; size: number }> {
  if (location.includes('\0') || !isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
    throw new InvalidContentError(
      `location must be an absolute path without "..": ${JSON.stringify(location)}`,
    );
  }
  let real: string;
  try {
    real = await realpath(normalize(location));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ProductMissingError(`product file not found: ${location}`);
    throw error;
  }
  const realRoots = await Promise.all(
    roots.map((root) => realpath(root).catch(() => normalize(root))),
  );
  if (!realRoots.some((root) => isInside(root, real))) {
    throw new InvalidContentError(
      `location is outside the readable roots (${roots.join(', ')}): ${location}`,
    );
  }
  const stats = await stat(real);
  if (!stats.isFile()) throw new InvalidContentError(`location is not a regular file: ${location}`);
  return { path: real, size: stats.size };
}
