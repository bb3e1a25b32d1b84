import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, normalize, relative, sep } from 'node:path';
import { UnsafePathError } from '../errors';

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Keeps every path a job names inside a set of root directories, twice over: by spelling (absolute,
 * no `..` segment, no NUL) and by what is really on disk (the real path of the path, or of its
 * nearest existing ancestor, is inside a root's real path), so a symlink planted inside a root
 * cannot lead outside it.
 */
export class RootConfinement {
  constructor(private readonly roots: readonly string[]) {
    if (roots.length === 0) throw new Error('RootConfinement needs at least one root directory');
  }

  /** The normalized path, or `UnsafePathError` saying what is wrong with it. */
  async confine(location: string): Promise<string> {
    if (location.includes('\0'))
      throw new UnsafePathError(`path contains a NUL byte: ${JSON.stringify(location)}`);
    if (!isAbsolute(location)) throw new UnsafePathError(`path must be absolute: ${location}`);
    if (location.split(/[\\/]/).includes('..')) {
      throw new UnsafePathError(`path must not contain "..": ${location}`);
    }
    const path = normalize(location);
    const roots = await this.realRoots();
    if (
      !this.roots.some((root) => isInside(normalize(root), path)) &&
      !roots.some((root) => isInside(root, path))
    ) {
      throw new UnsafePathError(
        `path is outside the allowed roots (${this.roots.join(', ')}): ${location}`,
      );
    }
    const real = await realpathOfNearestExisting(path);
    if (!roots.some((root) => isInside(root, real))) {
      throw new UnsafePathError(
        `path leads outside the allowed roots through a symbolic link: ${location}`,
      );
    }
    if (roots.some((root) => root === real || normalize(root) === path)) {
      throw new UnsafePathError(`path is a storage root itself, not a file inside it: ${location}`);
    }
    return path;
  }

  private async realRoots(): Promise<string[]> {
    const resolved = await Promise.all(
      this.roots.map(async (root) => {
        try {
          return await realpath(root);
        } catch (error) {
          if (isMissing(error)) return undefined; // a root that does not exist yet confines nothing
          throw error;
        }
      }),
    );
    return resolved.filter((root): root is string => root !== undefined);
  }
}

/** The real path of `path`, or of its nearest existing ancestor joined with the missing rest. */
async function realpathOfNearestExisting(path: string): Promise<string> {
  let missing = '';
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing ? `${real}${sep}${missing}` : real;
    } catch (error) {
      if (!isMissing(error)) throw error;
      const parent = dirname(current);
      if (parent === current) throw error;
      missing = missing ? `${basename(current)}${sep}${missing}` : basename(current);
      current = parent;
    }
  }
}
