/**
 * The mover's failure vocabulary. Each error says which response it becomes, so the worker maps
 * them in one place: `invalid-content` means "this job can never succeed as written" (the
 * requester must change the file or the job), `error` means "the world is not as the job expects"
 * (a retry after someone fixes it may succeed).
 */
export type MoveFailureKind = 'invalid-content' | 'error';

export abstract class MoveError extends Error {
  abstract readonly kind: MoveFailureKind;
  /** Whether a retry of the same job, unchanged, may succeed. */
  readonly retryable: boolean = false;
}

/** A source or destination outside the configured roots, or spelled with `..`, NUL, or relative. */
export class UnsafePathError extends MoveError {
  override readonly name = 'UnsafePathError';
  readonly kind = 'invalid-content';
}

/** An archive entry that would land outside the extraction target, or is not a file/dir/link. */
export class UnsafeArchiveError extends MoveError {
  override readonly name = 'UnsafeArchiveError';
  readonly kind = 'invalid-content';
}

/** An archive the extractor cannot read (truncated, not the announced format, bad sizes). */
export class CorruptArchiveError extends MoveError {
  override readonly name = 'CorruptArchiveError';
  readonly kind = 'invalid-content';
}

/** The bytes read do not hash to the checksum the job expected, or changed while copied. */
export class ChecksumMismatchError extends MoveError {
  override readonly name = 'ChecksumMismatchError';
  readonly kind = 'invalid-content';
}

/** The source is not a regular file (a directory, a device…). */
export class NotAFileError extends MoveError {
  override readonly name = 'NotAFileError';
  readonly kind = 'invalid-content';
}

/** The source does not exist and no record shows this move already completed. */
export class SourceMissingError extends MoveError {
  override readonly name = 'SourceMissingError';
  readonly kind = 'error';
}

/** The destination exists with other content and the job did not ask to overwrite it. */
export class DestinationExistsError extends MoveError {
  override readonly name = 'DestinationExistsError';
  readonly kind = 'error';
}

/** The bytes written differ from the bytes read (a failing disk, a source changed mid-copy). */
export class CopyMismatchError extends MoveError {
  override readonly name = 'CopyMismatchError';
  readonly kind = 'error';
  override readonly retryable = true;
}
