import { Injectable } from '@nestjs/common';

/** A job being published or confirmed, as the dispatcher has it at hand. */
export interface DispatchedJob {
  readonly id: string;
  readonly attempt: number;
  readonly worker_type: string;
}

/** Receives what {@link RequestTimings} observed (the metrics service, the dashboard's per-minute stats). */
export interface RequestTimingsSink {
  /** A job of `workerType` confirmed by the broker; `acceptedMs` is the wait since intake, when known. */
  jobConfirmed(workerType: string, acceptedMs: number | undefined): void;
  /** A response applied; `processingMs` is the time since its job was published, when it ended the job and is known. */
  responseApplied(workerType: string, status: string, processingMs: number | undefined): void;
}

/** Statuses after which a job is over (its step succeeded or failed). */
const JOB_ENDING = new Set(['SUCCESS', 'ERROR', 'INVALID_CONTENT']);

/**
 * Most timestamps kept per map. A request accepted but never dispatched (no worker for a day),
 * or a job answered by another replica, would otherwise stay forever; the oldest go first.
 * 20,000 rather than 100,000: in a 200,000-request backlog the full maps were about 17 MB of a
 * 60 MB live heap (a UUID key, an entry and a boxed timestamp each), and V8 sizes the old
 * generation at a multiple of the live heap (up to 4× here), so each retained MB cost several MB
 * of RSS. A steady flow keeps far fewer than 20,000 in flight; past that, the latency histograms
 * were already samples (see below).
 */
export const MAX_TRACKED = 20_000;

/**
 * Timing hook of the request flow: intake, the dispatcher and the outcome applier call it with
 * the time they already have at hand, so latency metrics cost no database read on the hot path.
 *
 * The timestamps live in this replica's memory. A latency is observed when the same replica saw
 * both ends: intake and first confirmed dispatch (dispatch latency), and the job's publication
 * and its final response (processing latency: measured from the publish, because a fast worker's
 * answer can be applied before the broker's confirm is recorded). With several replicas sharing the responses queue, the
 * histograms are samples of the whole traffic, not all of it; counts by worker type are exact.
 */
@Injectable()
export class RequestTimings {
  private readonly acceptedAt = new Map<string, number>();
  private readonly publishedAt = new Map<string, number>();
  private readonly sinks: RequestTimingsSink[] = [];

  /** Sends observations to `sink` from now on (the metrics, the dashboard's per-minute stats). */
  attach(sink: RequestTimingsSink): void {
    this.sinks.push(sink);
  }

  /** Requests recorded by intake at `at` (epoch ms). */
  accepted(ids: readonly string[], at: number): void {
    for (const id of ids) remember(this.acceptedAt, id, at);
  }

  /** Jobs about to be published at `at` (their processing clock starts). */
  published(jobs: readonly DispatchedJob[], at: number): void {
    for (const job of jobs) remember(this.publishedAt, keyOf(job.id, job.attempt), at);
  }

  /** Jobs confirmed by the broker at `at`. */
  confirmed(jobs: readonly DispatchedJob[], at: number): void {
    for (const job of jobs) {
      const accepted = this.acceptedAt.get(job.id);
      if (accepted !== undefined) this.acceptedAt.delete(job.id);
      const acceptedMs = accepted === undefined ? undefined : Math.max(0, at - accepted);
      for (const sink of this.sinks) sink.jobConfirmed(job.worker_type, acceptedMs);
    }
  }

  /** A response (or manager-observed failure) for attempt `attempt` of request `id`, applied at `at`. */
  applied(id: string, attempt: number, workerType: string, status: string, at: number): void {
    let processingMs: number | undefined;
    if (JOB_ENDING.has(status)) {
      const key = keyOf(id, attempt);
      const published = this.publishedAt.get(key);
      if (published !== undefined) {
        this.publishedAt.delete(key);
        processingMs = Math.max(0, at - published);
      }
    }
    for (const sink of this.sinks) sink.responseApplied(workerType, status, processingMs);
  }

  /** Timestamps currently kept (tests: the maps stay bounded). */
  tracked(): number {
    return this.acceptedAt.size + this.publishedAt.size;
  }
}

function keyOf(id: string, attempt: number): string {
  return `${attempt}:${id}`;
}

function remember(map: Map<string, number>, key: string, at: number): void {
  map.delete(key);
  map.set(key, at);
  if (map.size > MAX_TRACKED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
