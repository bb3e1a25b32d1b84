import { WINDOW_PER_CONCURRENCY, type DispatchPolicy } from '@org/protocol';

/**
 * The most jobs of a type that may be outstanding at once (design 5.1): twice the concurrency
 * advertised by its live ready instances, capped by the type's `maxInFlight`; 0 without a live
 * instance. Every replica computes it from the same liveness, and the jobs outstanding are
 * counted in the database, so the window is shared, never multiplied by the replica count.
 */
export function windowSize(liveConcurrency: number, policy: DispatchPolicy): number {
  const window = liveConcurrency * WINDOW_PER_CONCURRENCY;
  return policy.maxInFlight === undefined ? window : Math.min(window, policy.maxInFlight);
}

/** A rate-limit bucket as stored: tokens left, and how long ago they were counted. */
export interface StoredBucket {
  readonly tokens: number | null;
  readonly elapsedMs: number | null;
}

/** What the bucket allows now. */
export interface TokenGrant {
  /** Dispatches allowed now (≤ the number asked for). */
  readonly granted: number;
  /** Tokens to store after taking `granted`. */
  readonly remaining: number;
  /** When more than granted was asked: ms until the next token. */
  readonly nextInMs: number | undefined;
}

/**
 * A token bucket (`rateLimit: { perSecond, burst }`), stored per type and shared by every
 * replica: it refills at `perSecond` up to `burst`, and each dispatch takes one token. A new
 * bucket starts full.
 */
export function takeTokens(
  bucket: StoredBucket | undefined,
  limit: { readonly perSecond: number; readonly burst: number },
  wanted: number,
): TokenGrant {
  const stored = bucket?.tokens ?? null;
  const elapsed = Math.max(0, bucket?.elapsedMs ?? 0);
  const available =
    stored === null
      ? limit.burst
      : Math.min(limit.burst, stored + (elapsed / 1000) * limit.perSecond);
  const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
  const remaining = available - granted;
  const nextInMs =
    granted < wanted
      ? Math.max(1, Math.ceil(((1 - (remaining % 1)) / limit.perSecond) * 1000))
      : undefined;
  return { granted, remaining, nextInMs };
}
