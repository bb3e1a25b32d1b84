import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { defineWorker, InvalidContentError, type WorkerOptions } from '@org/worker-sdk';
import { ChecksumJob } from './checksum-job';
import { FileMissingError } from './errors';
import { checksumFile, type FileChecksums } from './file-checksums';

/** Worker type of the checksum worker (its queue is `<ns>.worker.checksum`). */
export const CHECKSUM_TYPE = 'checksum';

/** Business content type of its output. */
export const CHECKSUM_CONTENT_TYPE = 'product/checksum';

/** Where the checksum worker may read when `CHECKSUM_ROOTS` is not set (the file mover's default). */
export const DEFAULT_CHECKSUM_ROOTS: readonly string[] = ['/data'];

export interface ChecksumOptions {
  /** Directories files may be read from. @default DEFAULT_CHECKSUM_ROOTS (`/data`) */
  readonly roots?: readonly string[];
  /** @default CHECKSUM_CONTENT_TYPE (`product/checksum`) */
  readonly outputContentType?: string;
}

/**
 * The checksum worker's definition, for `createWorker` (see `main.ts`) and `runJob` in tests: a
 * small step that runs beside the metadata extractor in the `product/ingest-full` graph.
 *
 * Job (JSON): `{ location, size?, sha256? }`, e.g. the file mover's output.
 * Output (JSON, `product/checksum`): `{ location, size, sha256, md5, matchesMover }`.
 * A stored file that no longer matches the mover's SHA-256 or size is answered INVALID_CONTENT;
 * a location outside the roots too; a missing file is a retryable ERROR.
 */
export function checksumWorker(options: ChecksumOptions = {}): WorkerOptions<ChecksumJob> {
  const roots = options.roots ?? DEFAULT_CHECKSUM_ROOTS;
  const contentType = options.outputContentType ?? CHECKSUM_CONTENT_TYPE;
  return defineWorker<ChecksumJob>({
    type: CHECKSUM_TYPE,
    description: 'Checksums a stored product file (SHA-256, MD5) against the file mover’s.',
    payload: ChecksumJob,
    handler: async (job, ctx) => {
      const { location } = job.payload;
      try {
        const path = await insideRoots(location, roots);
        const sums = await checksumFile(path, ctx.signal);
        const compared = job.payload.sha256 !== undefined || job.payload.size !== undefined;
        const matches =
          (job.payload.sha256 === undefined || job.payload.sha256.toLowerCase() === sums.sha256) &&
          (job.payload.size === undefined || job.payload.size === sums.size);
        if (compared && !matches)
          throw new InvalidContentError(
            `${location} does not match what the mover stored (sha256 ${sums.sha256}, ${sums.size} bytes)`,
          );
        const result: FileChecksums = {
          location,
          ...sums,
          matchesMover: compared ? true : null,
        };
        return ctx.success({ json: result, contentType });
      } catch (error) {
        if (error instanceof FileMissingError) return ctx.error(error.message, { retryable: true });
        throw error;
      }
    },
  });
}

/** The real path of `location` when it lies inside one of `roots`; refuses anything else. */
async function insideRoots(location: string, roots: readonly string[]): Promise<string> {
  if (!isAbsolute(location))
    throw new InvalidContentError(`location must be an absolute path, got "${location}"`);
  const path = await realpath(location).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new FileMissingError(location);
    throw error;
  });
  for (const root of roots) {
    const inside = relative(await realpath(root).catch(() => resolve(root)), path);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return path;
  }
  throw new InvalidContentError(`${location} is outside the allowed roots (${roots.join(', ')})`);
}
