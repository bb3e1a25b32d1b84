/** Why a job's signal was aborted. */
export type AbortKind = 'cancel' | 'shutdown';

/** The `reason` of an aborted `ctx.signal`: a cancel order for the request, or the shutdown grace running out. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';

  constructor(
    readonly kind: AbortKind,
    /** The reason given with the cancel order, if any. */
    readonly detail?: string,
  ) {
    super(
      kind === 'cancel'
        ? cancelledMessage(detail)
        : 'worker shutting down: job aborted and requeued',
    );
  }
}

/** The `wm-messages` entry of an ERROR answered for a cancelled job. */
export function cancelledMessage(detail?: string): string {
  return detail ? `cancelled: ${detail}` : 'cancelled';
}
