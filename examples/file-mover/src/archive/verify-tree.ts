import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { digestOf } from '../checksum';
import { UnsafeArchiveError } from '../errors';
import { type ExtractedFile } from '../receipt';
import { isInside } from './inside';

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (
      !['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')
    )
      throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Walks an extracted tree after the fact: every symlink must really resolve inside it (this
 * catches chains of individually harmless links), every file is fsynced and hashed for the
 * receipt, every directory fsynced so the tree survives a crash once committed.
 */
export async function verifyTree(root: string, signal?: AbortSignal): Promise<ExtractedFile[]> {
  const realRoot = await realpath(root);
  const files: ExtractedFile[] = [];

  async function visit(directory: string): Promise<void> {
    const names = (await readdir(directory)).sort();
    for (const name of names) {
      signal?.throwIfAborted();
      const path = join(directory, name);
      const rel = relative(realRoot, path).split(sep).join(posix.sep);
      const stats = await lstat(path);
      if (stats.isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = await realpath(path);
        } catch {
          // Dangling: judge the spelled target against where it would land.
          resolved = posix.resolve(dirname(path), await readlink(path));
        }
        if (!isInside(realRoot, resolved)) {
          throw new UnsafeArchiveError(`archive symlink ${rel} resolves outside the target`);
        }
      } else if (stats.isDirectory()) {
        await visit(path);
        await fsyncPath(path);
      } else if (stats.isFile()) {
        await fsyncPath(path);
        const digest = await digestOf(createReadStream(path), signal);
        files.push({ path: rel, size: digest.size, sha256: digest.sha256 });
      } else {
        throw new UnsafeArchiveError(`archive produced an unsupported file type at ${rel}`);
      }
    }
  }

  await visit(realRoot);
  await fsyncPath(realRoot);
  return files;
}
