import { createWriteStream } from 'node:fs';
import { mkdir, realpath, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Entry, fromRandomAccessReaderPromise, RandomAccessReader, type ZipFile } from 'yauzl';
import { CorruptArchiveError, MoveError, UnsafeArchiveError } from '../errors';
import { type Storage } from '../storage/storage';
import { assertSafeLinkTarget, safeEntryPath } from './entry-paths';
import { isInside } from './inside';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MAX_LINK_TARGET_BYTES = 4096;

/** Lets yauzl read the archive in ranges straight from the storage: no local copy, no buffering. */
class StorageRangeReader extends RandomAccessReader {
  constructor(
    private readonly storage: Storage,
    private readonly location: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.storage.createReadStream(this.location, { start, end }).then(
      (stream) => {
        stream.on('error', (error) => out.destroy(error));
        stream.pipe(out);
      },
      (error: Error) => out.destroy(error),
    );
    return out;
  }
}

/** yauzl's own name validation says the same thing our guard does, in its words. */
const YAUZL_UNSAFE_NAME = /^(invalid relative path|absolute path|invalid characters in fileName)/;

function classify(error: unknown): unknown {
  if (error instanceof MoveError || !(error instanceof Error)) return error;
  if (YAUZL_UNSAFE_NAME.test(error.message))
    return new UnsafeArchiveError(`archive entry refused: ${error.message}`);
  const code = (error as NodeJS.ErrnoException).code;
  // yauzl reports format problems as plain Errors; zlib as Z_* codes; anything else is I/O.
  if (code === undefined || code.startsWith('Z_')) {
    return new CorruptArchiveError(`cannot read the zip archive: ${error.message}`);
  }
  return error;
}

async function readSmall(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new UnsafeArchiveError(`archive symlink target is longer than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function makeDirectoryInside(root: string, path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  // An earlier in-tree symlink may stand in the way; the real directory must still be ours.
  if (!isInside(root, await realpath(path))) {
    throw new UnsafeArchiveError(
      `archive entry ${path} would be written through a symlink outside the target`,
    );
  }
}

async function extractEntry(
  zip: ZipFile,
  entry: Entry,
  root: string,
  signal?: AbortSignal,
): Promise<void> {
  const path = safeEntryPath(entry.fileName);
  if (path === '') return;
  if (entry.isEncrypted()) throw new CorruptArchiveError(`archive entry ${path} is encrypted`);
  const target = join(root, path);
  const unixType = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (entry.fileName.endsWith('/') || unixType === S_IFDIR) {
    await makeDirectoryInside(root, target);
    return;
  }
  await makeDirectoryInside(root, dirname(target));
  if (unixType === S_IFLNK) {
    const linkTarget = await readSmall(
      await zip.openReadStreamPromise(entry),
      MAX_LINK_TARGET_BYTES,
    );
    assertSafeLinkTarget(path, linkTarget, 'symlink');
    await symlink(linkTarget, target);
    return;
  }
  if (unixType !== 0 && unixType !== S_IFREG) {
    throw new UnsafeArchiveError(
      `archive entry ${path} has an unsupported file type (mode ${unixType.toString(8)})`,
    );
  }
  // 'wx' fails on anything already there (a duplicate entry, a planted symlink): never write through it.
  // verifyTree fsyncs every file afterwards, before anything is published.
  await pipeline(
    await zip.openReadStreamPromise(entry),
    createWriteStream(target, { flags: 'wx', mode: 0o644 }),
    {
      signal,
    },
  );
}

/**
 * Unpacks the zip at `location` (read in ranges through `storage`) into the existing directory
 * `into`, refusing the archive at the first entry that is absolute, climbs with `..`, links
 * outside, or is not a file, directory or symlink. Entry sizes are validated by yauzl.
 */
export async function extractZip(
  storage: Storage,
  location: string,
  size: number,
  into: string,
  signal?: AbortSignal,
): Promise<void> {
  const root = await realpath(into);
  let zip: ZipFile | undefined;
  try {
    zip = await fromRandomAccessReaderPromise(new StorageRangeReader(storage, location), size, {
      lazyEntries: true,
      autoClose: true,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
    for await (const entry of zip.eachEntry()) {
      signal?.throwIfAborted();
      await extractEntry(zip, entry, root, signal);
    }
  } catch (error) {
    zip?.close();
    throw classify(error);
  }
}
