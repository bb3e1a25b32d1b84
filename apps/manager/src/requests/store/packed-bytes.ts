/**
 * Byte columns sent to PostgreSQL as one binary parameter.
 *
 * node-postgres sends an array parameter (`$1::bytea[]`) as a text literal: every payload is
 * hex-encoded (twice its size), escaped into one string on the JS heap, then copied into the
 * wire message, so a 16 MiB intake batch briefly costs over 64 MiB. A single Buffer parameter
 * goes in binary, as is. So a batch's payloads travel concatenated in one `bytea` parameter,
 * with an `int[]` of offsets and one of lengths (-1 for NULL), and each row takes its slice in
 * SQL ({@link sliceSql}).
 */
export interface PackedBytes {
  /** Every non-null item, end to end. */
  readonly blob: Buffer;
  /** Where each item starts in `blob` (0 for NULL items). */
  readonly offsets: number[];
  /** Each item's length, -1 for NULL. */
  readonly lengths: number[];
}

export function packBytes(items: readonly (Buffer | null | undefined)[]): PackedBytes {
  const offsets: number[] = [];
  const lengths: number[] = [];
  const parts: Buffer[] = [];
  let position = 0;
  for (const item of items) {
    offsets.push(position);
    if (item === null || item === undefined) {
      lengths.push(-1);
      continue;
    }
    lengths.push(item.length);
    parts.push(item);
    position += item.length;
  }
  return { blob: Buffer.concat(parts, position), offsets, lengths };
}

/**
 * The SQL taking one row's item out of a packed parameter: `blob` is the parameter (`$n`),
 * `offset` and `length` the row's columns of the two arrays.
 */
export function sliceSql(blob: string, offset: string, length: string): string {
  return `CASE WHEN ${length} < 0 THEN NULL ELSE substring(${blob}::bytea FROM ${offset} + 1 FOR ${length}) END`;
}
