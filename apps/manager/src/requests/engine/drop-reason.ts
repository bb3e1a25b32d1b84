/** Why a worker response (or a dead letter) was dropped instead of applied. */
export type DropReason =
  /** Its attempt is not the request's current one (a redispatch happened since). */
  | 'stale'
  /** The request is no longer live (finished, cancelled, waiting). */
  | 'late'
  /** No such request (finished and deleted, or never existed). */
  | 'unknown'
  /** Its worker type is not the one the current step was sent to. */
  | 'forged'
  /** A repetition of what was already applied (redelivery). */
  | 'duplicate'
  /** It does not honour the contract (headers missing or malformed). */
  | 'invalid'
  /** The transition table refuses the change. */
  | 'forbidden';

export const DROP_REASONS: readonly DropReason[] = [
  'stale',
  'late',
  'unknown',
  'forged',
  'duplicate',
  'invalid',
  'forbidden',
];
