import {
  MAX_WINDOW_PER_CONCURRENCY,
  WINDOW_PER_CONCURRENCY,
  type DispatchPolicy,
} from '@org/protocol';

/** What sizes a type's window besides its policy. */
export interface WindowInputs {
  /** Concurrency advertised by the type's live ready instances (0: none live). */
  readonly liveConcurrency: number;
  /** Jobs of the type leaving the window per second, as this replica measured them. */
  readonly answeredPerSecond: number;
  /** `WM_DISPATCH_HORIZON_MS`: how much of that pace the window may hold (0: the floor only). */
  readonly horizonMs: number;
}

/**
 * The most jobs of a type that may be outstanding at once (design 5.1, widened for short jobs,
 * see docs/decisions.md): twice the concurrency advertised by its live ready instances, or the
 * jobs its workers answer within the horizon if that is more, but never over eight times the
 * concurrency; capped by the type's `maxInFlight`; 0 without a live instance.
 *
 * Twice the concurrency keeps one job queued behind each running one, which is enough while a
 * job takes longer than the dispatch round trip (publish, confirm, answer, commit). For jobs
 * shorter than that round trip the workers would idle, so the window grows to what they answer
 * in `horizonMs`: a steady state where a job waits about the horizon between dispatch and its
 * answer, which bounds how long a higher-priority request waits behind jobs already sent; the
 * ceiling bounds how many.
 * Every replica computes it from the same liveness and counts the outstanding jobs in the
 * database, so the window is shared, never multiplied by the replica count.
 */
export function windowSize(inputs: WindowInputs, policy: DispatchPolicy): number {
  if (inputs.liveConcurrency <= 0) return 0;
  const floor = inputs.liveConcurrency * WINDOW_PER_CONCURRENCY;
  const paced = Math.min(
    Math.ceil((inputs.answeredPerSecond * inputs.horizonMs) / 1000),
    inputs.liveConcurrency * MAX_WINDOW_PER_CONCURRENCY,
  );
  const window = Math.max(floor, paced);
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
