import { Injectable } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { MessageParking } from '../messaging/message-parking';
import { RequesterEvents } from '../requests/events/requester-events.service';
import { RequestCounters } from '../requests/request-counters';
import { RequestTimings, type RequestTimingsSink } from '../requests/request-timings';
import { DispatchStates } from '../requests/dispatch/dispatch-states.service';
import { RequestReads } from '../requests/request-reads.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { WorkerMessageCounters } from '../workers/worker-message-counters';
import { ManagerMetrics } from './manager-metrics';

/**
 * Database-derived gauges are refreshed at most this often, however many scrapers there are:
 * short enough that `wm_waiting_requests` shows a first waiting request within a second (what an
 * autoscaler scaling from zero reads), long enough that frequent scrapes cost at most two
 * aggregate queries a second.
 */
const REFRESH_MS = 500;

/**
 * Renders `/metrics`: brings the counters up to date with the request flow's in-memory counts,
 * refreshes the gauges from the database and the liveness catalogue, and serialises the registry.
 */
@Injectable()
export class MetricsService {
  readonly metrics = new ManagerMetrics();
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly counters: RequestCounters,
    private readonly catalogue: WorkerCatalogue,
    private readonly config: ConfigService,
    private readonly reads: RequestReads,
    private readonly dispatch: DispatchStates,
    private readonly events: RequesterEvents,
    private readonly parking: MessageParking,
    private readonly workerMessages: WorkerMessageCounters,
    timings: RequestTimings,
  ) {
    timings.attach(this.timingsSink());
  }

  contentType(): string {
    return this.metrics.registry.contentType;
  }

  async render(): Promise<string> {
    this.syncCounters();
    this.refreshLiveness();
    if (Date.now() - this.refreshedAt >= REFRESH_MS) {
      this.refreshing ??= this.refreshDatabase().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
    }
    return this.metrics.registry.metrics();
  }

  /** Prometheus counters only go up: add what the flow counted since the last scrape. */
  private syncCounters(): void {
    const { metrics, counters } = this;
    this.advance('accepted', counters.accepted, (delta) =>
      metrics.intake.inc({ outcome: 'accepted' }, delta),
    );
    this.advance('invalid-payloads', counters.invalidPayloads, (delta) =>
      metrics.intake.inc({ outcome: 'invalid_content' }, delta),
    );
    this.advance('redeliveries', counters.redeliveries, (delta) =>
      metrics.intake.inc({ outcome: 'duplicate' }, delta),
    );
    this.advance('malformed-request-batches', this.parking.parkedRequestBatches, (delta) =>
      metrics.intake.inc({ outcome: 'malformed_batch' }, delta),
    );
    for (const [reason, count] of Object.entries(counters.skipped)) {
      this.advance(`skipped:${reason}`, count, (delta) =>
        metrics.intake.inc({ outcome: 'skipped' }, delta),
      );
    }
    // Dropped responses: the flow's reasons (stale, late, …) and the parking's (missing_header,
    // invalid_header, invalid_body), both fixed sets, under one bounded `reason` label.
    for (const [reason, count] of [
      ...Object.entries(counters.dropped),
      ...Object.entries(this.parking.parked),
    ]) {
      this.advance(`dropped:${reason}`, count, (delta) =>
        metrics.droppedResponses.inc({ reason }, delta),
      );
    }
    this.advance('timedOut', counters.timedOut, (delta) => metrics.timeouts.inc(delta));
    this.advance('deadLettered', counters.deadLettered, (delta) => metrics.deadLetters.inc(delta));
    this.advance('unroutable', counters.unroutable, (delta) => metrics.unroutable.inc(delta));
    for (const [kind, count] of Object.entries(this.workerMessages.received)) {
      this.advance(`worker:${kind}`, count, (delta) => metrics.workerMessages.inc({ kind }, delta));
    }
    this.advance('worker:invalid', this.workerMessages.invalid, (delta) =>
      metrics.invalidWorkerMessages.inc(delta),
    );
  }

  /** Dispatches and responses are counted as they happen: their labels come with the observation. */
  private timingsSink(): RequestTimingsSink {
    const { metrics } = this;
    return {
      jobConfirmed(workerType, acceptedMs) {
        metrics.dispatches.inc({ worker_type: workerType });
        if (acceptedMs !== undefined)
          metrics.dispatchLatency.observe({ worker_type: workerType }, acceptedMs / 1000);
      },
      responseApplied(workerType, status, processingMs) {
        metrics.responses.inc({ status, worker_type: workerType });
        if (processingMs !== undefined)
          metrics.processingLatency.observe({ worker_type: workerType }, processingMs / 1000);
      },
    };
  }

  private advance(key: string, value: number, inc: (delta: number) => void): void {
    const delta = value - (this.seen.get(key) ?? 0);
    if (delta > 0) inc(delta);
    this.seen.set(key, value);
  }

  private refreshLiveness(): void {
    const { liveInstances } = this.metrics;
    liveInstances.reset();
    for (const type of this.config.workerTypes()) liveInstances.set({ worker_type: type }, 0);
    for (const snapshot of this.catalogue.snapshot()) {
      liveInstances.set({ worker_type: snapshot.type }, snapshot.liveInstances);
    }
  }

  private async refreshDatabase(): Promise<void> {
    const { metrics } = this;
    try {
      const [counts, dispatch, outbox] = await Promise.all([
        this.reads.counts({}),
        this.dispatch.all(),
        this.events.outboxLag(),
      ]);
      for (const [state, count] of Object.entries(counts.byState))
        metrics.requestsByState.set({ state }, count);
      for (const gauge of [
        metrics.waiting,
        metrics.oldestWait,
        metrics.outstanding,
        metrics.dispatchWindow,
        metrics.desiredInstances,
        metrics.paused,
      ])
        gauge.reset();
      for (const type of dispatch) {
        const worker_type = type.type;
        metrics.waiting.set({ worker_type, state: 'NO_WORKER_AVAILABLE' }, type.noWorkerAvailable);
        metrics.waiting.set({ worker_type, state: 'QUEUED' }, type.queued);
        metrics.waiting.set({ worker_type, state: 'SCHEDULED' }, type.scheduled);
        metrics.oldestWait.set({ worker_type }, type.oldestWaitingSeconds);
        metrics.outstanding.set({ worker_type }, type.outstanding);
        metrics.dispatchWindow.set({ worker_type }, type.window);
        metrics.desiredInstances.set({ worker_type }, type.desiredInstances);
        metrics.paused.set({ worker_type }, type.paused ? 1 : 0);
      }
      metrics.outboxSize.set(outbox.pending);
      metrics.outboxLag.set(outbox.oldestMs / 1000);
      this.refreshedAt = Date.now();
    } catch {
      // A scrape during a database outage still answers, with the last known values.
      metrics.scrapeErrors.inc();
    }
  }
}
