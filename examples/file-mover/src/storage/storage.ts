import { type Readable } from 'node:stream';

/** What a storage knows about one location. */
export interface StorageEntry {
  readonly kind: 'file' | 'directory' | 'other';
  readonly size: number;
}

/** A half-open byte range `[start, end)` for ranged reads (zip archives need random access). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface CommitOptions {
  /** Replace what is already at the location. Without it, an occupied location throws `DestinationExistsError`. */
  readonly overwrite: boolean;
}

/**
 * Bytes written durably beside their final location but not visible there yet. The mover checks
 * them (checksum, receipt) before `commit` publishes them in one atomic step.
 */
export interface StagedFile {
  readonly size: number;
  /** sha256 of the staged bytes as read back after they were made durable, not as sent. */
  readonly sha256: string;
  commit(options: CommitOptions): Promise<void>;
  /** Removes the staged bytes; safe to call after a failed or successful commit. */
  abort(): Promise<void>;
}

/** A directory to fill (by extraction) that becomes visible at its location only on `commit`. */
export interface StagedDirectory {
  /** A local directory the caller writes into. */
  readonly path: string;
  commit(options: CommitOptions): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Where the mover reads and writes. Locations are the strings jobs carry; `resolve` turns one into
 * the canonical form every other method takes, refusing anything the storage must not touch.
 *
 * Implement this to move files on another backend (an S3-compatible store: `stageFile` uploads to
 * a temporary key, `commit` copies it into place; `sameDevice` is true within one bucket).
 */
export interface Storage {
  /** Canonical location, or `UnsafePathError` when it is outside the storage's roots or ambiguous. */
  resolve(location: string): Promise<string>;
  /** `undefined` when nothing is there. */
  stat(location: string): Promise<StorageEntry | undefined>;
  /** Rejects (`ENOENT`) when the location disappeared since `stat`. */
  createReadStream(location: string, range?: ByteRange): Promise<Readable>;
  /** Whether `rename(from, to)` can move bytes without copying them. */
  sameDevice(from: string, to: string): Promise<boolean>;
  /** Atomic, durable move within one device. */
  rename(from: string, to: string, options: CommitOptions): Promise<void>;
  /** Streams `content` into a staged file for `location` (never buffering it whole). */
  stageFile(location: string, content: Readable, signal?: AbortSignal): Promise<StagedFile>;
  stageDirectory(location: string): Promise<StagedDirectory>;
  /** Removes a file durably; a missing file is not an error. */
  remove(location: string): Promise<void>;
}
