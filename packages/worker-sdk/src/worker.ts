import { type WorkerStatsSnapshot } from './runtime/worker-stats';

/** Lifecycle of a worker instance. */
export type WorkerState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/** `worker.stats()`: the live numbers heartbeats report, plus where the instance is in its lifecycle. */
export interface WorkerStats extends WorkerStatsSnapshot {
  readonly state: WorkerState;
  /** `draining` while stopping or after a drain order: the instance takes no new jobs. */
  readonly status: 'ready' | 'draining';
}

/** A running worker of one type. */
export interface Worker {
  /** Unique id of this instance (`wm-worker-id`, heartbeats, control queue). */
  readonly instanceId: string;
  /** The worker type. */
  readonly type: string;
  /**
   * Connects, declares (or checks) the topology, starts consuming, registers and starts
   * heartbeats. Resolves once jobs can flow. While the broker is unreachable it keeps retrying
   * (with backoff) and logging, up to `startTimeoutMs` when set. It rejects with a
   * `WorkerStartError` whose `reason` says why: a refusal by the broker (`auth`, `permission`,
   * `not-found`, `precondition`, `refused`; `error.refused` is true) or `unreachable` / `stopped`.
   */
  start(): Promise<void>;
  /**
   * Graceful stop: takes no new jobs, waits up to `shutdownGraceMs` for in-flight jobs, then
   * aborts the rest and requeues them for another replica, unregisters, and closes the
   * connection. Safe to call more than once; every call resolves when the worker is stopped.
   */
  stop(): Promise<void>;
  stats(): WorkerStats;
}
