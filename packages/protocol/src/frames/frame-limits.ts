import { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_ITEMS } from '../limits';

/**
 * Bounds of one frame (design 5.2). A sender splits what does not fit; a receiver rejects a frame
 * that breaks them whole, with the reason.
 */
export interface FrameLimits {
  /** Most items in one frame. @default MAX_BATCH_ITEMS (1,000) */
  readonly maxItems?: number;
  /** Largest frame (the whole message body), in bytes. @default DEFAULT_MAX_BATCH_BYTES (8 MiB, `WM_MAX_BATCH_BYTES`) */
  readonly maxBytes?: number;
}

/**
 * Largest header block of one item, in bytes. Generous on purpose: every header of the contract
 * has its own limit (32 messages and 32 meta values of 4,096 characters at most), and this only
 * stops a length field that points at gigabytes before anything is allocated.
 */
export const MAX_FRAME_HEADER_BYTES = 1024 * 1024;

/** Bytes of each length prefix: a uint32, big-endian. */
export const FRAME_LENGTH_BYTES = 4;

export interface ResolvedFrameLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
}

export function resolveFrameLimits(limits: FrameLimits = {}): ResolvedFrameLimits {
  const maxItems = limits.maxItems ?? MAX_BATCH_ITEMS;
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BATCH_BYTES;
  if (!Number.isSafeInteger(maxItems) || maxItems < 1 || maxItems > MAX_BATCH_ITEMS) {
    throw new RangeError(
      `frame limits: maxItems must be an integer from 1 to ${MAX_BATCH_ITEMS}, got ${maxItems}`,
    );
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 2 * FRAME_LENGTH_BYTES + 2) {
    throw new RangeError(
      `frame limits: maxBytes must be an integer of at least 10, got ${maxBytes}`,
    );
  }
  return { maxItems, maxBytes };
}
