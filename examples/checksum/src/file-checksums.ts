import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** What the checksum worker answers (`product/checksum`, JSON). */
export interface FileChecksums {
  readonly location: string;
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
  /** Lower-case hex (for catalogues that still index MD5). */
  readonly md5: string;
  /**
   * Whether the file still matches what the mover recorded (its `sha256` and `size`); null when
   * the job carried neither.
   */
  readonly matchesMover: boolean | null;
}

/** SHA-256, MD5 and size of a file in one read; `signal` aborts the read. */
export async function checksumFile(
  path: string,
  signal?: AbortSignal,
): Promise<{ size: number; sha256: string; md5: string }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    const bytes = chunk as Buffer;
    sha256.update(bytes);
    md5.update(bytes);
    size += bytes.length;
  }
  return { size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}
