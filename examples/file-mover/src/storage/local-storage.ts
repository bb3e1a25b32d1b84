import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestOf } from '../checksum';
import { DEFAULT_FILE_MOVER_ROOTS } from '../config';
import { DestinationExistsError } from '../errors';
import { RootConfinement } from './root-confinement';
import {
  type ByteRange,
  type CommitOptions,
  type StagedDirectory,
  type StagedFile,
  type Storage,
  type StorageEntry,
} from './storage';

export interface LocalStorageOptions {
  /**
   * Directories jobs may name; every source, destination and extracted entry stays inside them.
   * @default DEFAULT_FILE_MOVER_ROOTS (`/data`)
   */
  readonly roots?: readonly string[];
}

const PARTIAL_SUFFIX = '.partial';
// Filesystems without hard links answer these to link(); we fall back to check-then-rename.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Makes a directory's entries (a rename, a new file) survive a power cut. */
async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems refuse fsync on a directory; their renames are then as durable as they get.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function destinationExists(path: string): DestinationExistsError {
  return new DestinationExistsError(
    `destination already exists with other content: ${path} (set options.overwrite to replace it)`,
  );
}

/**
 * Publishes `from` at `to` atomically. Without `overwrite`, a hard link does it without a window in
 * which an existing destination could be clobbered (`link` fails when `to` exists).
 */
async function publish(from: string, to: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await rename(from, to);
    return;
  }
  try {
    await link(from, to);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') throw destinationExists(to);
    if (!NO_HARD_LINKS.has(errorCode(error) ?? '')) throw error;
    if (await lstatOrUndefined(to)) throw destinationExists(to);
    await rename(from, to);
    return;
  }
  await unlink(from);
}

function partialPath(location: string): string {
  return join(
    dirname(location),
    `.${basename(location)}.${randomUUID().slice(0, 8)}${PARTIAL_SUFFIX}`,
  );
}

/** Leftovers of attempts killed mid-copy for the same destination (a redelivered job cleans up). */
async function removeStalePartials(location: string): Promise<void> {
  const prefix = `.${basename(location)}.`;
  const names = await readdir(dirname(location));
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && name.includes(PARTIAL_SUFFIX))
      .map((name) => rm(join(dirname(location), name), { recursive: true, force: true })),
  );
}

/**
 * Files on local (or mounted) filesystems, confined to configured roots. Writes go to a hidden
 * `.<name>.<id>.partial` beside the destination (same directory, so same device), are fsynced,
 * read back for their checksum, then renamed into place and the directory fsynced.
 */
export class LocalStorage implements Storage {
  private readonly confinement: RootConfinement;

  constructor(options: LocalStorageOptions = {}) {
    this.confinement = new RootConfinement(options.roots ?? DEFAULT_FILE_MOVER_ROOTS);
  }

  resolve(location: string): Promise<string> {
    return this.confinement.confine(location);
  }

  async stat(location: string): Promise<StorageEntry | undefined> {
    // lstat: a symbolic link is neither moved nor followed; the mover refuses it as "other".
    const stats = await lstatOrUndefined(location);
    if (!stats) return undefined;
    const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
    return { kind, size: stats.size };
  }

  async createReadStream(location: string, range?: ByteRange): Promise<Readable> {
    if (range && range.end <= range.start) return Readable.from([]);
    // Opening first makes a missing file reject here instead of erroring the stream later.
    const handle = await open(location, 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end - 1 } : {});
  }

  async sameDevice(from: string, to: string): Promise<boolean> {
    const [source, target] = await Promise.all([
      stat(from),
      stat(await nearestExisting(dirname(to))),
    ]);
    return source.dev === target.dev;
  }

  async rename(from: string, to: string, options: CommitOptions): Promise<void> {
    await this.makeParent(to);
    await publish(from, to, options.overwrite);
    await fsyncDirectory(dirname(to));
    if (dirname(from) !== dirname(to)) await fsyncDirectory(dirname(from));
  }

  async stageFile(location: string, content: Readable, signal?: AbortSignal): Promise<StagedFile> {
    await this.makeParent(location);
    const temp = partialPath(location);
    let digest;
    try {
      await pipeline(content, createWriteStream(temp, { flags: 'wx', mode: 0o644 }), { signal });
      await fsyncFile(temp);
      // Read back what is on disk: the checksum then covers the write path, not just the read.
      digest = await digestOf(createReadStream(temp), signal);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return {
      size: digest.size,
      sha256: digest.sha256,
      commit: async ({ overwrite }) => {
        await publish(temp, location, overwrite);
        await fsyncDirectory(dirname(location));
        await removeStalePartials(location);
      },
      abort: () => rm(temp, { force: true }),
    };
  }

  async stageDirectory(location: string): Promise<StagedDirectory> {
    await this.makeParent(location);
    const temp = partialPath(location);
    await mkdir(temp, { mode: 0o755 });
    return {
      path: temp,
      commit: async ({ overwrite }) => {
        const existing = await lstatOrUndefined(location);
        if (existing && !overwrite) throw destinationExists(location);
        if (existing) {
          // Swap in two renames; the old tree is deleted only once the new one is in place.
          const replaced = `${temp}.replaced`;
          await rename(location, replaced);
          await rename(temp, location);
          await rm(replaced, { recursive: true, force: true });
        } else {
          await rename(temp, location);
        }
        await fsyncDirectory(dirname(location));
        await removeStalePartials(location);
      },
      abort: () => rm(temp, { recursive: true, force: true }),
    };
  }

  async remove(location: string): Promise<void> {
    try {
      await unlink(location);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await fsyncDirectory(dirname(location));
  }

  /** Creates the parent directories, then re-checks confinement against what now exists. */
  private async makeParent(location: string): Promise<void> {
    await mkdir(dirname(location), { recursive: true });
    await this.confinement.confine(location);
  }
}

async function nearestExisting(path: string): Promise<string> {
  let current = path;
  while (!(await lstatOrUndefined(current))) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}
