/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every process of the bench runs on the
 * same machine, so a timestamp taken in a worker can be subtracted from one taken in the requester.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
