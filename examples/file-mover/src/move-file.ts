import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extractTar } from './archive/extract-tar';
import { extractZip } from './archive/extract-zip';
import { verifyTree } from './archive/verify-tree';
import { type Digest, digestOf, DigestStream } from './checksum';
import {
  ChecksumMismatchError,
  CopyMismatchError,
  DestinationExistsError,
  NotAFileError,
  SourceMissingError,
  UnsafePathError,
} from './errors';
import { type ArchiveFormat } from './move-job';
import { progressReporter } from './progress';
import {
  type ExtractedFile,
  type MoveReceipt,
  readReceipt,
  receiptLocation,
  writeReceipt,
} from './receipt';
import { type Storage, type StorageEntry } from './storage/storage';

export interface MoveRequest {
  readonly source: string;
  readonly destination: string;
  /** @default false */
  readonly overwrite?: boolean;
  /** @default undefined (move as one file) */
  readonly extract?: ArchiveFormat;
  /** Expected sha256 (hex) of the source. @default undefined (not compared) */
  readonly checksum?: string;
  /** Recorded in the receipt for whoever investigates later. */
  readonly requestId?: string;
}

/** The worker's output (`product/stored`). */
export interface MoveOutput {
  /** Where the file (or the extracted tree) now is. */
  readonly location: string;
  /** Size and sha256 of the bytes moved (the archive, when extracted). */
  readonly size: number;
  readonly sha256: string;
  /** The regular files an extraction produced, relative to `location`. */
  readonly files?: readonly ExtractedFile[];
}

export interface MoveResult {
  readonly output: MoveOutput;
  /** True when an earlier delivery of the same job had already completed the move. */
  readonly alreadyDone: boolean;
}

export interface MoveContext {
  readonly signal?: AbortSignal;
  /** Called with 0–100 as bytes are copied. */
  readonly onProgress?: (percent: number) => unknown;
}

interface Move {
  readonly storage: Storage;
  readonly request: MoveRequest;
  readonly source: string;
  readonly destination: string;
  readonly sourceEntry: StorageEntry;
  readonly expected: string | undefined;
  readonly context: MoveContext;
}

function outputOf(
  destination: string,
  digest: Digest,
  files?: readonly ExtractedFile[],
): MoveOutput {
  return files
    ? { location: destination, size: digest.size, sha256: digest.sha256, files }
    : { location: destination, size: digest.size, sha256: digest.sha256 };
}

function checkExpected(move: Move, digest: Digest): void {
  if (move.expected !== undefined && digest.sha256 !== move.expected) {
    throw new ChecksumMismatchError(
      `source checksum mismatch: expected sha256 ${move.expected}, read ${digest.sha256} from ${move.request.source}`,
    );
  }
}

function receiptOf(move: Move, digest: Digest, files?: readonly ExtractedFile[]): MoveReceipt {
  return {
    version: 1,
    source: move.source,
    destination: move.destination,
    size: digest.size,
    sha256: digest.sha256,
    ...(files ? { files } : {}),
    ...(move.request.requestId ? { requestId: move.request.requestId } : {}),
    recordedAt: new Date().toISOString(),
  };
}

async function digestAt(storage: Storage, location: string, signal?: AbortSignal): Promise<Digest> {
  return digestOf(await storage.createReadStream(location), signal);
}

/** Whether every file the receipt lists is at `directory` with its recorded bytes. */
async function treeMatches(
  storage: Storage,
  directory: string,
  files: readonly ExtractedFile[],
  signal?: AbortSignal,
): Promise<boolean> {
  for (const file of files) {
    const location = join(directory, file.path);
    if ((await storage.stat(location))?.kind !== 'file') return false;
    if ((await digestAt(storage, location, signal)).sha256 !== file.sha256) return false;
  }
  return true;
}

/** Whether the destination holds exactly what the receipt says this move published. */
async function receiptHolds(
  storage: Storage,
  receipt: MoveReceipt,
  signal?: AbortSignal,
): Promise<boolean> {
  const entry = await storage.stat(receipt.destination);
  if (receipt.files) {
    return (
      entry?.kind === 'directory' &&
      treeMatches(storage, receipt.destination, receipt.files, signal)
    );
  }
  return (
    entry?.kind === 'file' &&
    (await digestAt(storage, receipt.destination, signal)).sha256 === receipt.sha256
  );
}

/**
 * The source is gone. A receipt naming this source and destination, and a destination that still
 * hashes to it, prove an earlier delivery finished the move: report it again, touch nothing.
 */
async function findCompletedMove(
  storage: Storage,
  source: string,
  destination: string,
  expected: string | undefined,
  signal?: AbortSignal,
): Promise<MoveOutput | undefined> {
  const receipt = await readReceipt(storage, destination);
  if (!receipt || receipt.source !== source || receipt.destination !== destination)
    return undefined;
  if (expected !== undefined && receipt.sha256 !== expected) return undefined;
  if (!(await receiptHolds(storage, receipt, signal))) return undefined;
  return outputOf(destination, receipt, receipt.files);
}

/** Runs a copy's read side and write side together; the write side's failure says more. */
async function both<T>(reading: Promise<void>, writing: Promise<T>): Promise<T> {
  const [read, written] = await Promise.allSettled([reading, writing]);
  if (written.status === 'rejected') throw written.reason;
  if (read.status === 'rejected') throw read.reason;
  return written.value;
}

async function moveOneFile(move: Move): Promise<MoveResult> {
  const { storage, source, destination, context } = move;
  const { signal } = context;
  const overwrite = move.request.overwrite ?? false;
  const existing = await storage.stat(destination);
  if (existing && existing.kind !== 'file') {
    throw new DestinationExistsError(
      `destination exists and is not a regular file: ${move.request.destination}`,
    );
  }
  if (existing && !overwrite) {
    // An earlier delivery may have published the file and died before removing the source.
    const [read, held] = await Promise.all([
      digestAt(storage, source, signal),
      digestAt(storage, destination, signal),
    ]);
    if (read.sha256 !== held.sha256) {
      throw new DestinationExistsError(
        `destination already exists with other content: ${move.request.destination} (set options.overwrite to replace it)`,
      );
    }
    checkExpected(move, read);
    await writeReceipt(storage, receiptOf(move, read), signal);
    await storage.remove(source);
    return { output: outputOf(destination, read), alreadyDone: true };
  }
  const onBytes = progressReporter(move.sourceEntry.size, context.onProgress);

  if (await storage.sameDevice(source, destination)) {
    // Same device: a rename moves no bytes; read once for the checksum, then rename.
    const read = await digestOf(await storage.createReadStream(source), signal, onBytes);
    checkExpected(move, read);
    await writeReceipt(storage, receiptOf(move, read), signal);
    await storage.rename(source, destination, { overwrite });
    return { output: outputOf(destination, read), alreadyDone: false };
  }

  const meter = new DigestStream(onBytes);
  const reading = storage
    .createReadStream(source)
    .then((stream) => pipeline(stream, meter, { signal }));
  const staged = await both(reading, storage.stageFile(destination, meter, signal));
  try {
    const read = meter.digest();
    if (read.sha256 !== staged.sha256 || read.size !== staged.size) {
      throw new CopyMismatchError(
        `the copy at ${move.request.destination} does not match what was read (sha256 ${staged.sha256} vs ${read.sha256}); nothing was published`,
      );
    }
    checkExpected(move, read);
    // The receipt goes first: once the destination is visible, a redelivery must find it.
    await writeReceipt(storage, receiptOf(move, read), signal);
    await staged.commit({ overwrite });
    await storage.remove(source);
    return { output: outputOf(destination, read), alreadyDone: false };
  } finally {
    await staged.abort();
  }
}

async function moveExtracted(move: Move, format: ArchiveFormat): Promise<MoveResult> {
  const { storage, source, destination, context } = move;
  const { signal } = context;
  const overwrite = move.request.overwrite ?? false;
  if ((await storage.stat(destination)) && !overwrite) {
    // An earlier delivery may have committed the tree and died before removing the archive.
    const receipt = await readReceipt(storage, destination);
    if (
      receipt?.files &&
      receipt.source === source &&
      (await receiptHolds(storage, receipt, signal))
    ) {
      const read = await digestAt(storage, source, signal);
      if (read.sha256 === receipt.sha256) {
        checkExpected(move, read);
        await storage.remove(source);
        return { output: outputOf(destination, read, receipt.files), alreadyDone: true };
      }
    }
    throw new DestinationExistsError(
      `destination already exists: ${move.request.destination} (set options.overwrite to replace it)`,
    );
  }
  const stage = await storage.stageDirectory(destination);
  try {
    let read: Digest;
    if (format === 'zip') {
      // Zip needs random access; hash first so a wrong checksum refuses before anything is written.
      read = await digestOf(
        await storage.createReadStream(source),
        signal,
        progressReporter(move.sourceEntry.size, context.onProgress, { from: 0, to: 50 }),
      );
      checkExpected(move, read);
      await extractZip(storage, source, read.size, stage.path, signal);
    } else {
      const meter = new DigestStream(progressReporter(move.sourceEntry.size, context.onProgress));
      const reading = storage
        .createReadStream(source)
        .then((stream) => pipeline(stream, meter, { signal }));
      await both(reading, extractTar(meter, stage.path, signal));
      read = meter.digest();
      checkExpected(move, read);
    }
    const files = await verifyTree(stage.path, signal);
    await writeReceipt(storage, receiptOf(move, read, files), signal);
    await stage.commit({ overwrite });
    await storage.remove(source);
    return { output: outputOf(destination, read, files), alreadyDone: false };
  } finally {
    await stage.abort();
  }
}

/**
 * Moves `request.source` to `request.destination` (or unpacks it there), streaming, verifying
 * sha256, publishing atomically, and only then removing the source. Safe to run again for the
 * same job at any point of a previous run: the result is one intact destination and one SUCCESS.
 * Throws the `MoveError` subclasses of `./errors` for outcomes a requester must hear about.
 */
export async function moveFile(
  storage: Storage,
  request: MoveRequest,
  context: MoveContext = {},
): Promise<MoveResult> {
  const source = await storage.resolve(request.source);
  const destination = await storage.resolve(request.destination);
  if (source === destination)
    throw new UnsafePathError(`source and destination are the same path: ${source}`);
  if (source === receiptLocation(destination) || destination === receiptLocation(source)) {
    throw new UnsafePathError("the mover's receipt files cannot be moved or overwritten by a job");
  }
  const expected = request.checksum?.toLowerCase();
  const sourceEntry = await storage.stat(source);
  if (!sourceEntry) {
    const done = await findCompletedMove(storage, source, destination, expected, context.signal);
    if (done) return { output: done, alreadyDone: true };
    throw new SourceMissingError(`source does not exist: ${request.source}`);
  }
  if (sourceEntry.kind !== 'file') {
    throw new NotAFileError(
      `source is not a regular file (${sourceEntry.kind}): ${request.source}`,
    );
  }
  const move: Move = { storage, request, source, destination, sourceEntry, expected, context };
  return request.extract ? moveExtracted(move, request.extract) : moveOneFile(move);
}
