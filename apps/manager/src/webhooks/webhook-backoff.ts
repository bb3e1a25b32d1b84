/**
 * The delay before the next attempt after `attempts` failed ones: exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so a receiver that comes back
 * is not hit by every waiting delivery at the same instant. `random` is injectable for tests.
 */
export function webhookBackoffMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
