/** What the first bytes of a file say it is. */
export type Sniffed = 'tiff' | 'json' | { readonly unknown: string };

const OTHER_FORMATS: ReadonlyArray<[string, number[]]> = [
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['ZIP archive', [0x50, 0x4b, 0x03, 0x04]],
  ['gzip data', [0x1f, 0x8b]],
  ['PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['HDF5/NetCDF-4 data', [0x89, 0x48, 0x44, 0x46]],
];

function startsWith(head: Buffer, bytes: readonly number[]): boolean {
  return bytes.every((byte, index) => head[index] === byte);
}

/**
 * Recognizes a file by content, not by name: TIFF (classic and BigTIFF, both byte orders) and
 * JSON (first non-blank character `{` or `[`, after an optional UTF-8 BOM). Anything else is
 * named when recognizable, so the INVALID_CONTENT reason helps whoever sent it.
 */
export function sniff(head: Buffer): Sniffed {
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  if (head.length === 0) return { unknown: 'an empty file' };
  const known = OTHER_FORMATS.find(([, magic]) => startsWith(head, magic));
  if (known) return { unknown: `a ${known[0]}` };
  return { unknown: `unrecognized data (first bytes ${head.subarray(0, 8).toString('hex')})` };
}
