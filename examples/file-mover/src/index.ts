/**
 * `@org/example-file-mover`: the file mover as a library, for running it in-process (the demo,
 * end-to-end tests) or building your own mover on another storage.
 *
 * ```ts
 * import { createWorker } from '@org/worker-sdk';
 * import { fileMoverWorker, LocalStorage } from '@org/example-file-mover';
 *
 * const storage = new LocalStorage({ roots: ['/data'] });
 * await createWorker({ ...fileMoverWorker({ storage }), concurrency: 4 }).start();
 * ```
 *
 * `node dist/main.js` runs it as a process configured from the environment.
 */
export {
  fileMoverWorker,
  FILE_MOVER_TYPE,
  STORED_CONTENT_TYPE,
  type FileMoverOptions,
} from './file-mover.worker';
export { MoveJob, MoveOptions, ARCHIVE_FORMATS, type ArchiveFormat } from './move-job';
export {
  moveFile,
  type MoveContext,
  type MoveOutput,
  type MoveRequest,
  type MoveResult,
} from './move-file';
export { type ExtractedFile, type MoveReceipt, receiptLocation } from './receipt';
export { DEFAULT_FILE_MOVER_ROOTS, rootsFromEnv } from './config';
export { LocalStorage, type LocalStorageOptions } from './storage/local-storage';
export {
  type ByteRange,
  type CommitOptions,
  type StagedDirectory,
  type StagedFile,
  type Storage,
  type StorageEntry,
} from './storage/storage';
export {
  MoveError,
  UnsafePathError,
  UnsafeArchiveError,
  CorruptArchiveError,
  ChecksumMismatchError,
  NotAFileError,
  SourceMissingError,
  DestinationExistsError,
  CopyMismatchError,
  type MoveFailureKind,
} from './errors';
