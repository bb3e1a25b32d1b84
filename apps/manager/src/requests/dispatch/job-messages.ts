import {
  buildJob,
  buildJobBatches,
  MAX_BATCH_ITEMS,
  type Names,
  type OutgoingMessage,
} from '@org/protocol';
import { jobOf } from '../engine/dispatch';
import { type DispatchRow } from '../engine/request-row';

/** Room left in a frame for an item's header block and length prefixes (they are far smaller). */
const ITEM_HEADER_ROOM = 256 * 1024;

/** One message to publish and the claimed rows it carries, in order. */
export interface JobMessage {
  readonly message: OutgoingMessage;
  readonly rows: readonly DispatchRow[];
}

/** How the jobs of one worker type may be packed (design 5.2). */
export interface JobPacking {
  /**
   * The most jobs one message may carry: the smallest `batch` advertised by the type's live
   * instances, or undefined when one of them advertises none (a v1 instance: one job per message).
   */
  readonly batch: number | undefined;
  /** `WM_MAX_BATCH_BYTES`: the largest frame. */
  readonly maxBatchBytes: number;
}

/**
 * The messages that carry `rows` (all of one worker type, in dispatch order): job batches of at
 * most `packing.batch` items when the type's whole fleet accepts them, single jobs otherwise.
 * Rows marked `alone` (their last batch was dead-lettered) and a lone row always go as single
 * jobs: a job that kills its worker must do it alone to be condemned.
 */
export function jobMessages(
  names: Names,
  rows: readonly DispatchRow[],
  packing: JobPacking,
  dispatchedAt: number,
): JobMessage[] {
  const single = (row: DispatchRow): JobMessage => ({
    message: buildJob(names, jobOf(row, dispatchedAt)),
    rows: [row],
  });
  const batch = packing.batch;
  if (batch === undefined || batch < 2) return rows.map(single);
  // A payload near the frame limit goes alone too, so that no item can be too large for a frame.
  const fits = (row: DispatchRow) =>
    row.alone !== true && row.input.length <= packing.maxBatchBytes - ITEM_HEADER_ROOM;
  const alone = rows.filter((row) => !fits(row));
  const packed = rows.filter(fits);
  const messages = alone.map(single);
  if (packed.length <= 1) return [...messages, ...packed.map(single)];
  const batches = buildJobBatches(
    names,
    packed.map((row) => jobOf(row, dispatchedAt)),
    { maxItems: Math.min(batch, MAX_BATCH_ITEMS), maxBytes: packing.maxBatchBytes },
  );
  let start = 0;
  for (const { message, count } of batches) {
    const carried = packed.slice(start, start + count);
    start += count;
    messages.push(count === 1 ? single(carried[0]!) : { message, rows: carried });
  }
  return messages;
}
