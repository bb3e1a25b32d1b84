import { type DispatchRow } from '../engine/request-row';

/** Jobs claimed in a transaction, to publish once it committed, and the bytes they hold. */
export interface ClaimedJobs {
  readonly rows: readonly DispatchRow[];
  /** Payload bytes taken from the replica's budget for them; released once published. */
  readonly bytes: number;
}

export const NO_JOBS: ClaimedJobs = { rows: [], bytes: 0 };

export function mergeClaims(claims: readonly ClaimedJobs[]): ClaimedJobs {
  if (claims.length === 1) return claims[0]!;
  return {
    rows: claims.flatMap((claim) => claim.rows),
    bytes: claims.reduce((sum, claim) => sum + claim.bytes, 0),
  };
}
