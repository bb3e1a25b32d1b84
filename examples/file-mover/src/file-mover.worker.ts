import { defineWorker, type WorkerOptions } from '@org/worker-sdk';
import { MoveError } from './errors';
import { moveFile } from './move-file';
import { MoveJob } from './move-job';
import { type Storage } from './storage/storage';

/** Worker type of the file mover (its queue is `<ns>.worker.file-mover`). */
export const FILE_MOVER_TYPE = 'file-mover';

/** Business content type of the mover's output. */
export const STORED_CONTENT_TYPE = 'product/stored';

export interface FileMoverOptions {
  /** Where files are read and written. Required: `new LocalStorage({ roots })` for local disks. */
  readonly storage: Storage;
  /** Business content type of the output. @default STORED_CONTENT_TYPE (`product/stored`) */
  readonly outputContentType?: string;
}

/**
 * The file mover's definition, for `createWorker` (see `main.ts`) and for `runJob` in tests.
 *
 * Job (JSON): `{ source, destination, options?: { overwrite?, extract?: 'tar'|'tar.gz'|'zip', checksum? } }`.
 * Output (JSON, `product/stored`): `{ location, size, sha256, files? }`.
 */
export function fileMoverWorker(options: FileMoverOptions): WorkerOptions<MoveJob> {
  const { storage } = options;
  const contentType = options.outputContentType ?? STORED_CONTENT_TYPE;
  return defineWorker<MoveJob>({
    type: FILE_MOVER_TYPE,
    description:
      'Moves a file between storage locations (streaming, sha256-verified, atomic), optionally unpacking an archive.',
    payload: MoveJob,
    handler: async (job, ctx) => {
      const { source, destination, options: moveOptions } = job.payload;
      try {
        const { output, alreadyDone } = await moveFile(
          storage,
          {
            source,
            destination,
            overwrite: moveOptions?.overwrite,
            extract: moveOptions?.extract,
            checksum: moveOptions?.checksum,
            requestId: job.requestId,
          },
          { signal: ctx.signal, onProgress: (percent) => ctx.progress(percent) },
        );
        ctx.log.info(
          alreadyDone ? 'move had already completed; reporting it again' : 'file moved',
          {
            source,
            location: output.location,
            size: output.size,
            sha256: output.sha256,
            redelivered: job.redelivered,
          },
        );
        return ctx.success({ json: output, contentType, meta: { sha256: output.sha256 } });
      } catch (error) {
        if (!(error instanceof MoveError)) throw error; // I/O trouble: ERROR with its message
        ctx.log.warn('move refused', { source, destination, reason: error.message });
        return error.kind === 'invalid-content'
          ? ctx.invalid(error.message)
          : ctx.error(error.message, { retryable: error.retryable });
      }
    },
  });
}
