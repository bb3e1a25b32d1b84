import { type Client } from 'pg';
import { type ManagerReplica } from '../cluster/manager-replicas';

/** What a steady run saw, sampled every second. */
export interface ExpiryWatchResult {
  readonly samples: number;
  /** Samples in which a replica's view counted fewer live instances than the fleet has alive. */
  readonly shortSamples: number;
  /** The fewest live instances a replica's view reported. */
  readonly minLive: number;
  /** Leases of live instances the database found older than the expiry, summed over samples. */
  readonly expiredLeases: number;
}

/**
 * Watches for spurious expiries while every instance keeps heartbeating: each second, every
 * replica's live-instance count (its `/metrics` view) must equal the fleet, and no lease of a
 * heartbeating instance may be older than the expiry by the database clock.
 */
export async function watchForExpiries(
  db: Client,
  replicas: readonly ManagerReplica[],
  expected: number,
  expiryMs: number,
  durationMs: number,
): Promise<ExpiryWatchResult> {
  let samples = 0;
  let shortSamples = 0;
  let minLive = Number.POSITIVE_INFINITY;
  let expiredLeases = 0;
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const tickEnd = Date.now() + 1000;
    const lives = await Promise.all(replicas.map((replica) => replica.liveInstances()));
    const { rows } = await db.query<{ expired: number }>(
      `SELECT count(*)::int AS expired FROM worker_instances
       WHERE status = 'ready' AND last_seen <= now() - make_interval(secs => $1::int / 1000.0)`,
      [expiryMs],
    );
    samples += 1;
    for (const live of lives) {
      minLive = Math.min(minLive, live);
      if (live < expected) shortSamples += 1;
    }
    expiredLeases += rows[0]?.expired ?? 0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickEnd - Date.now())));
  }
  return { samples, shortSamples, minLive, expiredLeases };
}
