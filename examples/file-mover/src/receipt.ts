import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { type Storage } from './storage/storage';

/** One regular file unpacked from an archive, relative to the destination directory. */
export interface ExtractedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * The mover's durable note that `source` was (or is about to be) published at `destination` with
 * these bytes. Written before the destination is committed and the source removed, so a redelivered
 * job that finds the source gone can tell "already done" (the destination still hashes to the
 * receipt) from "lost" (ERROR).
 */
export interface MoveReceipt {
  readonly version: 1;
  readonly source: string;
  readonly destination: string;
  readonly size: number;
  readonly sha256: string;
  /** Present when the source was an archive unpacked into `destination`. */
  readonly files?: readonly ExtractedFile[];
  readonly requestId?: string;
  readonly recordedAt: string;
}

const MAX_RECEIPT_BYTES = 16 * 1024 * 1024;

/** Hidden file beside the destination: `.<name>.file-mover.json`. */
export function receiptLocation(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.file-mover.json`);
}

export async function writeReceipt(
  storage: Storage,
  receipt: MoveReceipt,
  signal?: AbortSignal,
): Promise<void> {
  const staged = await storage.stageFile(
    receiptLocation(receipt.destination),
    Readable.from([Buffer.from(`${JSON.stringify(receipt, null, 2)}\n`)]),
    signal,
  );
  await staged.commit({ overwrite: true });
}

function isReceipt(value: unknown): value is MoveReceipt {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.version === 1 &&
    typeof record.source === 'string' &&
    typeof record.destination === 'string' &&
    typeof record.size === 'number' &&
    typeof record.sha256 === 'string' &&
    (record.files === undefined || Array.isArray(record.files))
  );
}

/** The receipt for `destination`, or `undefined` when there is none or it is unreadable. */
export async function readReceipt(
  storage: Storage,
  destination: string,
): Promise<MoveReceipt | undefined> {
  const location = receiptLocation(destination);
  const entry = await storage.stat(location);
  if (entry?.kind !== 'file' || entry.size > MAX_RECEIPT_BYTES) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.createReadStream(location)) chunks.push(chunk as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return isReceipt(parsed) ? parsed : undefined;
  } catch {
    return undefined; // a torn or foreign file is no proof of anything
  }
}
