import { type ResolvedPolicy } from '@org/protocol';
import { type RequestRow } from './request-row';

/**
 * What the engine's decisions read besides the row: the time, limits, the routing
 * configuration and the workers' liveness, as snapshots. No I/O happens through it, so the
 * decisions stay pure and are tested in milliseconds.
 */
export interface EngineContext {
  /** Epoch ms the decisions are taken at. */
  readonly now: number;
  /** `WM_MAX_PAYLOAD_BYTES`: a larger output ends ERROR. */
  readonly maxPayloadBytes: number;
  /**
   * Whether a job answered before it was recorded DISPATCHED still gets its GRANTED event
   * (`WM_DISPATCHED_AFTER_MS` = 0, every job's GRANTED as in v1). Absent or false: the lean
   * default of design 5.3, where such a job's requester hears its outcome only, as it hears no
   * RUNNING for a short job.
   */
  readonly grantAnsweredJobs?: boolean;
  /** A live `ready` instance of the type was heard from recently. */
  isAvailable(workerType: string): boolean;
  /** The failure policy of the row's workflow, else of its worker type, else the defaults. */
  failurePolicy(row: RequestRow): ResolvedPolicy;
  /**
   * The timeout of a graph step run by `workerType` in `workflow`: the worker type's
   * `timeoutMs`, else the workflow's. Absent: the request's own.
   */
  stepTimeoutMs?(workflow: string | null, workerType: string): number | null;
  /** The fairness key of the row's current worker type (`fairness: tenant | owner`), or null. */
  fairKey(row: RequestRow): string | null;
  /** Content type of a step's output: the worker's word, else the type's `output`, else the input's. */
  outputContentType(
    workerType: string,
    responseContentType: string | undefined,
    inputContentType: string,
  ): string;
}
