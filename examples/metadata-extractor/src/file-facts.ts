import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const HEAD_BYTES = 1024;

/** sha256 and the first bytes of a file, in one streamed read. */
export async function readFacts(
  path: string,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number; head: Buffer }> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headSize = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
    if (headSize < HEAD_BYTES) {
      head.push(bytes.subarray(0, HEAD_BYTES - headSize));
      headSize += Math.min(bytes.length, HEAD_BYTES - headSize);
    }
  }
  return { sha256: hash.digest('hex'), size, head: Buffer.concat(head) };
}
