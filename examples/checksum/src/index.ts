/**
 * `@org/example-checksum`: a small worker that checksums a stored product file, run beside the
 * metadata extractor in the `product/ingest-full` graph workflow (design 5.4).
 *
 * ```ts
 * import { createWorker } from '@org/worker-sdk';
 * import { checksumWorker } from '@org/example-checksum';
 *
 * await createWorker({ ...checksumWorker({ roots: ['/data/store'] }), concurrency: 4 }).start();
 * ```
 *
 * `node dist/main.js` runs it as a process configured from the environment.
 */
export {
  checksumWorker,
  CHECKSUM_TYPE,
  CHECKSUM_CONTENT_TYPE,
  DEFAULT_CHECKSUM_ROOTS,
  type ChecksumOptions,
} from './checksum.worker';
export { ChecksumJob } from './checksum-job';
export { checksumFile, type FileChecksums } from './file-checksums';
export { FileMissingError } from './errors';
