import { Injectable } from '@nestjs/common';
import {
  DEFAULT_INSTANCE_CONCURRENCY,
  resolveDispatchPolicy,
  WINDOW_PER_CONCURRENCY,
} from '@org/protocol';
import { ConfigService } from '../../config/config.service';
import { WorkerCatalogue } from '../../workers/worker-catalogue.service';
import { RequestReads } from '../request-reads.service';
import { SweepsRepository } from '../store/sweeps.repository';
import { DispatchControls } from './dispatch-controls.service';
import { Dispatcher } from './dispatcher.service';

/** One worker type's dispatch at a glance: window, backlog, pause, and what autoscaling should aim for. */
export interface TypeDispatchState {
  readonly type: string;
  readonly liveInstances: number;
  /** The window now, as this replica sizes it (0 without a live instance). */
  readonly window: number;
  /** Jobs outstanding now (published or about to be, not answered). */
  readonly outstanding: number;
  readonly paused: boolean;
  readonly pauseReason: string | null;
  readonly maxInFlight: number | null;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | null;
  readonly fairness: string;
  readonly noWorkerAvailable: number;
  readonly queued: number;
  readonly scheduled: number;
  /** Requests that could run now if there were room: NO_WORKER_AVAILABLE + QUEUED. */
  readonly waitingRequests: number;
  readonly oldestWaitingSeconds: number;
  /**
   * Instances that would hold the outstanding and dispatchable work in their windows: (outstanding
   * + waitingRequests) / (2 × concurrency per instance), rounded up; at least 1 while any work
   * waits, 0 when there is none. Concurrency per instance is the live instances' mean, or 8.
   */
  readonly desiredInstances: number;
}

/**
 * The state of each worker type's dispatch, for operators (REST), Prometheus and autoscalers
 * (KEDA's metrics-api trigger reads `waitingRequests`). Computed from the database, so every
 * replica answers the same (aggregate replicas' gauges with `max`), except `window`, which each
 * replica sizes from the answers it applied.
 */
@Injectable()
export class DispatchStates {
  constructor(
    private readonly reads: RequestReads,
    private readonly sweeps: SweepsRepository,
    private readonly controls: DispatchControls,
    private readonly catalogue: WorkerCatalogue,
    private readonly config: ConfigService,
    private readonly dispatcher: Dispatcher,
  ) {}

  async all(): Promise<TypeDispatchState[]> {
    const types = this.config.workerTypes();
    const [waiting, outstanding, pauses] = await Promise.all([
      this.reads.waiting(types),
      this.sweeps.outstanding(),
      this.controls.states(),
    ]);
    return waiting.map((wait) => {
      const type = wait.workerType;
      const policy = resolveDispatchPolicy(this.config.worker(type));
      const pause = pauses.find((state) => state.workerType === type);
      const capacity = this.catalogue.capacity(type);
      const live = capacity.liveInstances;
      const concurrency = capacity.concurrency;
      const perInstance = live > 0 ? concurrency / live : DEFAULT_INSTANCE_CONCURRENCY;
      const busy = outstanding.get(type) ?? 0;
      const waitingRequests = wait.noWorkerAvailable + wait.queued;
      const work = busy + waitingRequests;
      return {
        type,
        liveInstances: live,
        window: this.dispatcher.windowOf(type, policy),
        outstanding: busy,
        paused: pause?.paused ?? false,
        pauseReason: pause?.reason ?? null,
        maxInFlight: policy.maxInFlight ?? null,
        rateLimit: policy.rateLimit ?? null,
        fairness: policy.fairness,
        noWorkerAvailable: wait.noWorkerAvailable,
        queued: wait.queued,
        scheduled: wait.scheduled,
        waitingRequests,
        oldestWaitingSeconds: wait.oldestWaitSeconds,
        desiredInstances:
          work === 0 ? 0 : Math.max(1, Math.ceil(work / (WINDOW_PER_CONCURRENCY * perInstance))),
      };
    });
  }

  async of(type: string): Promise<TypeDispatchState | undefined> {
    return (await this.all()).find((state) => state.type === type);
  }
}
