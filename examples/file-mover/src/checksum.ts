import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Size and sha256 (lower-case hex) of a byte stream. */
export interface Digest {
  readonly size: number;
  readonly sha256: string;
}

/**
 * A pass-through that hashes and counts what flows through it, so a copy computes the source's
 * checksum in the same single read that writes the destination.
 */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  /** Valid once the stream has ended. */
  digest(): Digest {
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }
}

/** Reads `stream` to its end and returns its digest. */
export async function digestOf(
  stream: Readable,
  signal?: AbortSignal,
  onBytes?: (bytes: number) => void,
): Promise<Digest> {
  const meter = new DigestStream(onBytes);
  await pipeline(
    stream,
    meter,
    async function drain(source: AsyncIterable<Buffer>) {
      for await (const _chunk of source) {
        // Only the digest is wanted.
      }
    },
    { signal },
  );
  return meter.digest();
}
