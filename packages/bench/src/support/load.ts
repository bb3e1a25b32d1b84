import { nowMs } from './clock';
import { type Publishable, type Requester } from './requester';

export interface BurstResult {
  readonly count: number;
  readonly seconds: number;
  /** Completions per second, from the first submit to the last completion. */
  readonly rate: number;
}

/**
 * Submits `count` messages as fast as confirms allow and waits for every completion: the
 * throughput of the whole pipeline, the requester's own publishing included (as for a user).
 */
export async function runBurst(
  requester: Requester,
  count: number,
  build: (index: number) => { id: string; message: Publishable },
  timeoutMs: number,
  what: string,
): Promise<BurstResult> {
  const before = requester.completions.length;
  const start = nowMs();
  for (let index = 0; index < count; index++) {
    const { id, message } = build(index);
    await requester.publish(id, message);
  }
  await requester.waitForCompletions(before + count, timeoutMs, what);
  const end = requester.completions[before + count - 1]!.at;
  const seconds = (end - start) / 1000;
  return { count, seconds, rate: count / seconds };
}

/**
 * {@link runBurst} with batch messages: `count` requests (or jobs) in messages of `batchSize`
 * items, each built by `build` from the item indexes it carries.
 */
export async function runBatchBurst(
  requester: Requester,
  count: number,
  batchSize: number,
  build: (indexes: readonly number[]) => { ids: readonly string[]; message: Publishable },
  timeoutMs: number,
  what: string,
): Promise<BurstResult> {
  const before = requester.completions.length;
  const start = nowMs();
  for (let first = 0; first < count; first += batchSize) {
    const indexes = Array.from({ length: Math.min(batchSize, count - first) }, (_, i) => first + i);
    const { ids, message } = build(indexes);
    await requester.publish(ids, message);
  }
  await requester.waitForCompletions(before + count, timeoutMs, what);
  const end = requester.completions[before + count - 1]!.at;
  const seconds = (end - start) / 1000;
  return { count, seconds, rate: count / seconds };
}

/**
 * Submits at a fixed offered rate for `seconds` (a tick every 5 ms publishes what is due), then
 * waits for every completion. Returns how many were submitted.
 */
export async function runPaced(
  requester: Requester,
  ratePerSecond: number,
  seconds: number,
  build: (index: number) => { id: string; message: Publishable },
  timeoutMs: number,
  what: string,
): Promise<number> {
  const before = requester.completions.length;
  const start = nowMs();
  const total = Math.max(1, Math.round(ratePerSecond * seconds));
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) / 1000) * ratePerSecond) + 1);
    while (sent < due) {
      const { id, message } = build(sent);
      await requester.publish(id, message);
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await requester.waitForCompletions(before + total, timeoutMs, what);
  return total;
}
