import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReadEntry, x as untar } from 'tar';
import { CorruptArchiveError, UnsafeArchiveError } from '../errors';
import { assertSafeLinkTarget, safeEntryPath } from './entry-paths';

const EXTRACTABLE = new Set([
  'File',
  'OldFile',
  'ContiguousFile',
  'Directory',
  'SymbolicLink',
  'Link',
]);

function checkEntry(entry: ReadEntry): void {
  const path = safeEntryPath(entry.path);
  if (!EXTRACTABLE.has(entry.type)) {
    throw new UnsafeArchiveError(
      `archive entry ${entry.path} has an unsupported type: ${entry.type}`,
    );
  }
  if (entry.type === 'SymbolicLink') assertSafeLinkTarget(path, entry.linkpath ?? '', 'symlink');
  if (entry.type === 'Link') {
    assertSafeLinkTarget(path, safeEntryPath(entry.linkpath ?? ''), 'hardlink');
  }
}

/**
 * Unpacks a tar (gzip detected by its magic bytes) from `archive` into the existing directory
 * `into`. Every entry is checked before node-tar sees it (node-tar would silently strip `..` and
 * leading `/`; we refuse the archive instead); node-tar's own guards stay on as a second line.
 */
export async function extractTar(
  archive: Readable,
  into: string,
  signal?: AbortSignal,
): Promise<void> {
  let refusal: UnsafeArchiveError | undefined;
  const stop = new AbortController();
  const forward = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  const unpack = untar({
    cwd: into,
    strict: true,
    preserveOwner: false,
    filter: (_path, entry) => {
      if (refusal) return false;
      try {
        checkEntry(entry as ReadEntry);
        return true;
      } catch (error) {
        refusal = error as UnsafeArchiveError;
        stop.abort(refusal);
        return false;
      }
    },
  });
  try {
    await pipeline(archive, unpack, { signal: stop.signal });
  } catch (error) {
    if (refusal) throw refusal;
    if (signal?.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('TAR_') || code.startsWith('Z_')) {
      throw new CorruptArchiveError(`cannot read the tar archive: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', forward);
  }
  if (refusal) throw refusal;
}
