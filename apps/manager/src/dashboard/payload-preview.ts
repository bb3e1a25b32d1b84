/** Bytes of a payload the detail page previews (the download has all of it). */
export const PAYLOAD_PREVIEW_BYTES = 64 * 1024;

/** How the detail page shows a payload: pretty JSON, text, or size and a hex head. */
export type PayloadPreview =
  | { readonly kind: 'json'; readonly text: string; readonly bytes: number }
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly bytes: number;
      readonly truncated: boolean;
    }
  | { readonly kind: 'binary'; readonly hexHead: string; readonly bytes: number };

/** Bytes of a binary payload shown as hex. */
const HEX_HEAD_BYTES = 64;

/** Pretty-prints JSON, shows UTF-8 text as is, and anything else as its size and first bytes. */
export function previewOf(body: Buffer): PayloadPreview {
  const head = body.subarray(0, PAYLOAD_PREVIEW_BYTES);
  const text = decodeUtf8(head);
  if (text !== undefined && body.length <= PAYLOAD_PREVIEW_BYTES) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), bytes: body.length };
    } catch {
      // Not JSON: shown as text below.
    }
  }
  if (text !== undefined)
    return { kind: 'text', text, bytes: body.length, truncated: body.length > head.length };
  const hexHead = [...body.subarray(0, HEX_HEAD_BYTES)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join(' ');
  return { kind: 'binary', hexHead, bytes: body.length };
}

/** The text of valid UTF-8 without control characters (but tab and newlines), else undefined. */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}
