/** Failed sign-ins one address may make per window before it must wait. @default 10 */
export const MAX_FAILED_SIGN_INS = 10;
/** The window failed sign-ins are counted over. @default 60000 ms */
export const SIGN_IN_WINDOW_MS = 60_000;
/** Addresses tracked at most; the oldest go first (a spray of addresses cannot grow memory). */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Slows guessing at the sign-in form: after {@link MAX_FAILED_SIGN_INS} failures from one address
 * within {@link SIGN_IN_WINDOW_MS}, that address is refused until the window ends, even with a
 * valid key. Per replica and in memory: keys are long random secrets, this only caps the rate.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  /** Milliseconds `address` must still wait, or 0 when it may try. */
  waitMs(address: string, now = Date.now()): number {
    const entry = this.failures.get(address);
    if (!entry || now - entry.since >= SIGN_IN_WINDOW_MS) return 0;
    return entry.count >= MAX_FAILED_SIGN_INS ? SIGN_IN_WINDOW_MS - (now - entry.since) : 0;
  }

  failed(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (!entry || now - entry.since >= SIGN_IN_WINDOW_MS) {
      this.failures.delete(address);
      this.failures.set(address, { count: 1, since: now });
      if (this.failures.size > MAX_TRACKED_ADDRESSES)
        this.failures.delete(this.failures.keys().next().value!);
      return;
    }
    entry.count += 1;
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
