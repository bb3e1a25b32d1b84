import { Injectable } from '@nestjs/common';
import { WAITING_REQUEST_STATES, type RequestState } from '@org/protocol';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { DispatchControls, type PauseState } from './dispatch/dispatch-controls.service';
import { type ListRequestsQuery, type RequestFilter } from './request-filter';
import { RequestNotFoundError } from './request-errors';
import {
  type RequestCounts,
  type RequestDetail,
  type RequestGroupCount,
  type RequestPage,
  type StoredInput,
} from './request-views';
import {
  type DetailRow,
  RequestReadsRepository,
  summaryOf,
} from './store/request-reads.repository';
import { SweepsRepository } from './store/sweeps.repository';
import { GRAPH_COORDINATOR_TYPE } from './engine/graph-rows';
import { GraphStepsRepository, type StepView } from './store/graph-steps.repository';

/** Requests waiting for a worker type, by waiting state, and the oldest wait. */
export interface WaitingByType {
  readonly workerType: string;
  readonly noWorkerAvailable: number;
  readonly queued: number;
  readonly scheduled: number;
  readonly total: number;
  /** When the oldest of them started waiting; null when none waits. */
  readonly oldestSince: string | null;
  readonly oldestWaitSeconds: number;
}

/** The steps of one request as read by operators (`GET /api/v1/requests/{id}/steps`). */
export interface RequestSteps {
  readonly id: string;
  readonly graph: boolean;
  readonly steps: Array<
    Omit<StepView, 'createdAt' | 'dispatchedAt' | 'finishedAt'> & {
      readonly createdAt: string;
      readonly dispatchedAt: string | null;
      readonly finishedAt: string | null;
    }
  >;
}

/** The operator's reads: listing, counts, one request with its history and why it waits. */
@Injectable()
export class RequestReads {
  constructor(
    private readonly reads: RequestReadsRepository,
    private readonly sweeps: SweepsRepository,
    private readonly controls: DispatchControls,
    private readonly catalogue: WorkerCatalogue,
    private readonly graphSteps: GraphStepsRepository,
  ) {}

  list(query: ListRequestsQuery): Promise<RequestPage> {
    return this.reads.list(query);
  }

  counts(filter: RequestFilter): Promise<RequestCounts> {
    return this.reads.counts(filter);
  }

  /** Counts by worker type, workflow and state (the dashboard's overview). */
  groupCounts(): Promise<RequestGroupCount[]> {
    return this.reads.groups();
  }

  /** A request's stored input (the current step's), or undefined when it does not exist. */
  input(id: string): Promise<StoredInput | undefined> {
    return this.reads.input(id);
  }

  /** A marker that changes whenever any request changes state (live updates). */
  latestChange(): Promise<string> {
    return this.reads.latestChange();
  }

  /** One request and its history; {@link RequestNotFoundError} when it does not exist. */
  async get(id: string): Promise<RequestDetail> {
    const found = await this.find(id);
    if (!found) throw new RequestNotFoundError(id);
    return found;
  }

  /** One request and its history, or null. */
  async find(id: string): Promise<RequestDetail | null> {
    const row = await this.reads.detail(id);
    if (!row) return null;
    const [history, pause] = await Promise.all([
      this.reads.history(id),
      WAITING_REQUEST_STATES.includes(row.state)
        ? this.controls.state(row.worker_type).catch(() => undefined)
        : Promise.resolve(undefined),
    ]);
    return detailOf(row, history, this.waitingReason(row, pause));
  }

  /**
   * The steps of a graph request that became ready so far, with their states, attempts,
   * timings and the sizes of their stored input and output (none for other requests);
   * {@link RequestNotFoundError} when the request does not exist.
   */
  async steps(id: string): Promise<RequestSteps> {
    const row = await this.reads.detail(id);
    if (!row) throw new RequestNotFoundError(id);
    const steps = await this.graphSteps.list(id);
    return {
      id,
      graph: row.worker_type === GRAPH_COORDINATOR_TYPE,
      steps: steps.map((step) => ({
        ...step,
        createdAt: step.createdAt.toISOString(),
        dispatchedAt: step.dispatchedAt?.toISOString() ?? null,
        finishedAt: step.finishedAt?.toISOString() ?? null,
      })),
    };
  }

  /** Waiting requests per worker type (every configured type, zeros included). */
  async waiting(workerTypes: readonly string[]): Promise<WaitingByType[]> {
    const counts = await this.sweeps.waiting();
    const now = Date.now();
    const types = new Set([...workerTypes, ...counts.map((count) => count.workerType)]);
    return [...types].sort().map((workerType) => {
      const mine = counts.filter((count) => count.workerType === workerType);
      const of = (state: RequestState) => mine.find((count) => count.state === state)?.count ?? 0;
      const oldest = mine.reduce<Date | undefined>(
        (min, count) => (min === undefined || count.oldestSince < min ? count.oldestSince : min),
        undefined,
      );
      const noWorkerAvailable = of('NO_WORKER_AVAILABLE');
      const queued = of('QUEUED');
      const scheduled = of('SCHEDULED');
      return {
        workerType,
        noWorkerAvailable,
        queued,
        scheduled,
        total: noWorkerAvailable + queued + scheduled,
        oldestSince: oldest?.toISOString() ?? null,
        oldestWaitSeconds: oldest ? Math.max(0, (now - oldest.getTime()) / 1000) : 0,
      };
    });
  }

  private waitingReason(row: DetailRow, pause: PauseState | undefined): string | null {
    switch (row.state) {
      case 'SCHEDULED':
        return `scheduled: not dispatched before ${row.not_before?.toISOString() ?? 'its time'}`;
      case 'NO_WORKER_AVAILABLE':
        return `no ${row.worker_type} worker is available`;
      case 'QUEUED':
        if (pause?.paused)
          return `paused: worker type ${row.worker_type} is paused${pause.reason ? ` (${pause.reason})` : ''}`;
        return this.catalogue.isAvailable(row.worker_type)
          ? `queued: ${row.worker_type}'s dispatch window is full`
          : `no ${row.worker_type} worker is available`;
      default:
        return null;
    }
  }
}

function detailOf(
  row: DetailRow,
  history: RequestDetail['history'],
  waitingReason: string | null,
): RequestDetail {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    ...summaryOf(row),
    inputContentType: row.input_content_type,
    inputMime: row.input_mime,
    inputBytes: row.input_bytes,
    meta: row.meta,
    workerId: row.worker_id,
    correlationId: row.correlation_id,
    replyTo: row.reply_to,
    traceparent: row.traceparent,
    notify: row.notify,
    deadline: iso(row.deadline),
    notBefore: iso(row.not_before),
    startBy: iso(row.start_by),
    dispatchedAt: iso(row.dispatched_at),
    finishedAt: iso(row.finished_at),
    outputBytes: row.output_bytes,
    outputContentType: row.output_content_type,
    waitingReason,
    history,
  };
}
