import { type DispatchKey } from '../store/dispatch.repository';

/** How long a claimed job's lease is renewed before its publish starts: far past any commit. */
const CLAIM_RENEWAL_MS = 60_000;

/**
 * The jobs whose dispatch lease this replica keeps alive, so that no replica publishes a second
 * copy while this one may still send or confirm the first: jobs claimed whose publish has not
 * started (their transaction may still be committing) and jobs published whose confirm has not
 * come. Only when this replica dies do their leases expire, and the sweep dispatches them again
 * under a new attempt.
 */
export class HeldJobs {
  /** Published, awaiting their confirm: attempt by request id. */
  private readonly publishing = new Map<string, number>();
  private readonly claimed = new Map<string, { attempt: number; claimedAt: number }>();

  /** Jobs claimed in a transaction (held from the claim on, not from the publish). */
  claim(keys: readonly DispatchKey[], now = Date.now()): void {
    for (const { id, attempt } of keys) this.claimed.set(id, { attempt, claimedAt: now });
  }

  /** Claims whose transaction did not commit. */
  unclaim(keys: readonly DispatchKey[]): void {
    for (const { id, attempt } of keys) {
      if (this.claimed.get(id)?.attempt === attempt) this.claimed.delete(id);
    }
  }

  /** Jobs handed to the broker: held until {@link settled}. */
  publish(keys: readonly DispatchKey[]): void {
    for (const key of keys) this.publishing.set(key.id, key.attempt);
    this.unclaim(keys);
  }

  /** Jobs confirmed or refused by the broker. */
  settled(keys: readonly DispatchKey[]): void {
    for (const { id, attempt } of keys) {
      if (this.publishing.get(id) === attempt) this.publishing.delete(id);
    }
  }

  holds(id: string, attempt: number): boolean {
    return this.publishing.get(id) === attempt || this.claimed.get(id)?.attempt === attempt;
  }

  /**
   * The keys to renew, with `others` (held elsewhere), each once. A claim never published (its
   * caller failed after the commit) stops being held after {@link CLAIM_RENEWAL_MS}, so its
   * lease expires and the sweep publishes it: the safe default.
   */
  keys(others: readonly DispatchKey[] = [], now = Date.now()): DispatchKey[] {
    const keys = [...this.publishing].map(([id, attempt]) => ({ id, attempt }));
    for (const key of others) if (!this.publishing.has(key.id)) keys.push(key);
    const oldest = now - CLAIM_RENEWAL_MS;
    for (const [id, claim] of this.claimed) {
      if (claim.claimedAt < oldest) this.claimed.delete(id);
      else if (!this.publishing.has(id)) keys.push({ id, attempt: claim.attempt });
    }
    return keys;
  }
}
