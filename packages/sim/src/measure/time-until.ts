/**
 * Polls `probe` every `intervalMs` until it returns true; resolves with the milliseconds from
 * `since` (epoch ms) to the answer that said true, or undefined after `timeoutMs`. Unlike
 * `until`, a miss is a figure to report, not an error.
 */
export async function timeUntil(
  probe: () => Promise<boolean>,
  since: number,
  timeoutMs: number,
  intervalMs = 20,
): Promise<number | undefined> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return Date.now() - since;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
