import { type FairnessMode, type WorkerTypeConfig } from './manager-config';

/** How a worker type's backlog is dispatched (design 5.1), with every default applied. */
export interface DispatchPolicy {
  /** Cap of the dispatch window; undefined: the window follows the live instances alone. */
  readonly maxInFlight: number | undefined;
  /** Token bucket shared by every replica; undefined: no limit. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined;
  readonly fairness: FairnessMode;
  readonly validatePayload: boolean;
}

/** The dispatch policy of a configured worker type (or of an unconfigured one: `undefined`). */
export function resolveDispatchPolicy(worker: WorkerTypeConfig | undefined): DispatchPolicy {
  const rate = worker?.rateLimit;
  return {
    maxInFlight: worker?.maxInFlight,
    rateLimit:
      rate === undefined
        ? undefined
        : {
            perSecond: rate.perSecond,
            burst: rate.burst ?? Math.max(1, Math.ceil(rate.perSecond)),
          },
    fairness: worker?.fairness ?? 'none',
    validatePayload: worker?.validatePayload ?? false,
  };
}
