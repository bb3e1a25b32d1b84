import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Latency buckets in seconds: from a few milliseconds (a batch window) to an hour (a request
 * waiting for a worker, a long job).
 */
const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** Prefix of the Node.js process metrics prom-client collects. */
export const PROCESS_METRICS_PREFIX = 'wm_manager_';

/**
 * prom-client's default metrics include three gauges named like counters. Prometheus reserves
 * `_total` for counters (`promtool check metrics` refuses them), and each is only the sum of a
 * gauge it also exports by type (`…nodejs_active_handles{type}`): `sum()` gives the same number.
 */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The manager's Prometheus metrics, in a registry of their own (several managers in one test
 * process must not share one). Counters count what this replica did; the gauges
 * that describe the whole deployment (requests by state, waiting work, outbox lag) are read from
 * the database at scrape time, so every replica reports the same values for them.
 */
export class ManagerMetrics {
  readonly registry = new Registry();

  /** Requests received (requests queue and REST), by what became of them. */
  readonly intake = new Counter({
    name: 'wm_requests_received_total',
    help: 'Requests received by this replica, by outcome (accepted, skipped, invalid_content: refused by validatePayload, duplicate: a redelivery absorbed, malformed_batch: a request batch whose frame was unreadable, parked whole, counted once per batch).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly dispatches = new Counter({
    name: 'wm_jobs_dispatched_total',
    help: 'Jobs published to workers and confirmed by the broker, by this replica, by worker type.',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly responses = new Counter({
    name: 'wm_responses_total',
    help: 'Worker responses (and manager-observed failures) applied by this replica, by status and worker type.',
    labelNames: ['status', 'worker_type'] as const,
    registers: [this.registry],
  });

  readonly dispatchLatency = new Histogram({
    name: 'wm_dispatch_latency_seconds',
    help: 'From a request accepted by intake to its first job confirmed by the broker (waiting for a worker included), by worker type; sampled where one replica saw both.',
    labelNames: ['worker_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly processingLatency = new Histogram({
    name: 'wm_processing_latency_seconds',
    help: 'From a job published to a worker queue to its final response (SUCCESS, ERROR, INVALID_CONTENT) applied, by worker type; sampled where one replica saw both.',
    labelNames: ['worker_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly droppedResponses = new Counter({
    name: 'wm_responses_dropped_total',
    help: 'Responses dropped instead of applied, by reason: stale (not the current attempt), late (the request had ended), unknown, forged, duplicate, forbidden; and parked in <ns>.parked: missing_header, invalid_header, invalid_body, malformed_batch (an unreadable response batch).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly timeouts = new Counter({
    name: 'wm_requests_timed_out_total',
    help: 'Dispatched requests that got no final answer within their timeoutMs.',
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'wm_jobs_dead_lettered_total',
    help: 'Jobs dead-lettered by worker queues (a worker crashed on them repeatedly, or rejected them).',
    registers: [this.registry],
  });

  readonly unroutable = new Counter({
    name: 'wm_jobs_unroutable_total',
    help: 'Jobs that came back unroutable (no queue bound for their worker type).',
    registers: [this.registry],
  });

  readonly requestsByState = new Gauge({
    name: 'wm_requests',
    help: 'Requests stored, by state (whole deployment).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly waiting = new Gauge({
    name: 'wm_waiting_requests',
    help: 'Requests waiting in the backlog, by worker type and waiting state (NO_WORKER_AVAILABLE, QUEUED, SCHEDULED; whole deployment: aggregate replicas with max).',
    labelNames: ['worker_type', 'state'] as const,
    registers: [this.registry],
  });

  readonly oldestWait = new Gauge({
    name: 'wm_oldest_waiting_seconds',
    help: 'Age of the oldest waiting request, by worker type (whole deployment: aggregate replicas with max).',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly outstanding = new Gauge({
    name: 'wm_outstanding_jobs',
    help: 'Jobs published and not yet answered, by worker type: the part of the dispatch window in use (whole deployment).',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly dispatchWindow = new Gauge({
    name: 'wm_dispatch_window',
    help: 'Jobs that may be outstanding at once, by worker type (2 × live concurrency, capped by maxInFlight).',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly desiredInstances = new Gauge({
    name: 'wm_desired_instances',
    help: 'Instances whose windows would hold the outstanding and waiting work, by worker type (an autoscaling target).',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly paused = new Gauge({
    name: 'wm_worker_type_paused',
    help: '1 while the dispatch of the worker type is paused.',
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly liveInstances = new Gauge({
    name: 'wm_live_instances',
    help: "Ready worker instances heard from within the heartbeat expiry by the database clock, by worker type (this replica's view, read every WM_LIVENESS_POLL_MS).",
    labelNames: ['worker_type'] as const,
    registers: [this.registry],
  });

  readonly workerMessages = new Counter({
    name: 'wm_worker_messages_total',
    help: 'Registrations, heartbeats and unregistrations this replica took from the shared liveness queue, by kind (summed over replicas: the broker deliveries).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly invalidWorkerMessages = new Counter({
    name: 'wm_worker_messages_invalid_total',
    help: 'Worker messages that broke the contract, dropped by this replica.',
    registers: [this.registry],
  });

  readonly outboxLag = new Gauge({
    name: 'wm_outbox_lag_seconds',
    help: 'Age of the oldest requester event not yet published (0 when the outbox is empty).',
    registers: [this.registry],
  });

  readonly outboxSize = new Gauge({
    name: 'wm_outbox_events',
    help: 'Requester events recorded but not yet published.',
    registers: [this.registry],
  });

  readonly scrapeErrors = new Counter({
    name: 'wm_metrics_scrape_errors_total',
    help: 'Scrapes whose database-derived gauges could not be refreshed (they keep their last values).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: PROCESS_METRICS_PREFIX });
    for (const name of NON_COUNTER_TOTALS)
      this.registry.removeSingleMetric(`${PROCESS_METRICS_PREFIX}${name}`);
  }
}
