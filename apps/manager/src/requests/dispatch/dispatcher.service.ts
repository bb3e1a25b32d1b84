import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { resolveDispatchPolicy, type Names } from '@org/protocol';
import { ConfigService } from '../../config/config.service';
import { MANAGER_ENVIRONMENT, NAMES } from '../../config/environment.tokens';
import { type ManagerEnvironment } from '../../config/manager-environment';
import { DatabaseService, type Tx } from '../../database/database.service';
import { AmqpService } from '../../messaging/amqp.service';
import { RequestTraces } from '../../tracing/request-traces';
import { WorkerCatalogue } from '../../workers/worker-catalogue.service';
import { eventOf } from '../engine/effects';
import { type DispatchRow } from '../engine/request-row';
import { RequesterEvents } from '../events/requester-events.service';
import { RequestCounters } from '../request-counters';
import { RequestTimings } from '../request-timings';
import { DispatchRepository, type DispatchKey } from '../store/dispatch.repository';
import { RequestsRepository } from '../store/requests.repository';
import { AnswerPace } from './answer-pace';
import { ByteBudget } from './byte-budget';
import { type ClaimedJobs, NO_JOBS } from './claimed-jobs';
import { DispatchRecords } from './dispatch-records';
import { HeldJobs } from './held-jobs';
import { type ArrivalClaim, type ArrivingRequest, WindowClaims } from './window-claims';
import { windowSize } from './dispatch-window';
import { type JobMessage, jobMessages } from './job-messages';
import { liveConcurrency } from './live-concurrency';

/**
 * Feeds each worker type its dispatch window (design 5.1). Claims happen inside the
 * transaction that made room or queued work (intake, answers, operations, sweeps), under the
 * type's advisory lock ({@link WindowClaims}): the backlog in dispatch order up to the free
 * slots, or, for a type with nothing waiting, the new requests themselves as intake records
 * them. After commit the jobs are published. A confirmed job still unanswered after
 * `WM_DISPATCHED_AFTER_MS` is recorded DISPATCHED and its requester told GRANTED; one answered
 * before goes from TO_DISPATCH to its outcome, its GRANTED sent by the answer unless that answer
 * ends the request (design 5.3's lean events, on the manager's side: a short job costs no row
 * write for a state it leaves at once, and no notification that would arrive with its outcome).
 * Until it is recorded, its lease is renewed like that of a job awaiting its confirm.
 *
 * A job waiting for its confirm keeps its lease renewed by this replica, however long the
 * broker takes: it is never published again while the first copy may still be confirmed. Only
 * when this replica dies does its lease expire, and then any replica publishes the job again
 * under a new attempt (the dead replica's copy, if it went out, is answered as stale).
 */
@Injectable()
export class Dispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  readonly budget: ByteBudget;
  /** How fast each type's jobs leave the window here: widens the window of short jobs. */
  private readonly pace = new AnswerPace();
  /** Jobs claimed or published by this replica and not yet confirmed: their leases are renewed. */
  private readonly held = new HeldJobs();
  private readonly claims: WindowClaims;
  /** The DISPATCHED records owed for confirmed jobs (`WM_DISPATCHED_AFTER_MS`). */
  private readonly records: DispatchRecords;
  private readonly draining = new Set<string>();
  private readonly again = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private renewTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: DispatchRepository,
    private readonly requests: RequestsRepository,
    private readonly amqp: AmqpService,
    private readonly events: RequesterEvents,
    private readonly catalogue: WorkerCatalogue,
    private readonly config: ConfigService,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
    private readonly traces: RequestTraces,
  ) {
    // Half of WM_MAX_INFLIGHT_BYTES; the requests and responses consumers hold a quarter each.
    this.budget = new ByteBudget(Math.floor(environment.maxInflightBytes / 2));
    this.claims = new WindowClaims(repository, requests, {
      budget: this.budget,
      held: this.held,
      leaseMs: environment.dispatchLeaseMs,
      isOpen: (type) => !this.stopped && this.catalogue.isAvailable(type),
      windowOf: (type, policy) => this.windowOf(type, policy),
      retryLater: (type, delayMs) => this.retryLater(type, delayMs),
      whenBudgetFrees: (type) => this.whenBudgetFrees(type),
    });
    this.records = new DispatchRecords(
      environment.dispatchedAfterMs,
      {
        markDispatched: (keys) => this.repository.markDispatched(keys),
        inform: (events) => this.events.inform(events),
        track: (run) => this.track(run),
      },
      this.logger,
    );
  }

  onModuleInit(): void {
    this.catalogue.onAvailabilityChange((type, available) => {
      if (available) this.kick(type);
    });
    const every = Math.max(50, Math.floor(this.environment.dispatchLeaseMs / 3));
    this.renewTimer = setInterval(() => void this.renewLeases(), every);
    this.renewTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Stops claiming and waits for the dispatches in flight (their confirms included). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.records.stop();
    clearInterval(this.renewTimer);
  }

  /**
   * Claims what the windows of `types` have room for, inside the caller's transaction (which
   * must have written its own changes first). Types are locked in name order, so transactions
   * claiming several types never deadlock. Publish the result with {@link publish} after commit.
   */
  async claimInTx(tx: Tx, types: Iterable<string>): Promise<ClaimedJobs> {
    if (this.stopped) return NO_JOBS;
    const rows: DispatchRow[] = [];
    let bytes = 0;
    for (const type of [...new Set(types)].sort()) {
      const claimed = await this.claimType(tx, type);
      rows.push(...claimed.rows);
      bytes += claimed.bytes;
    }
    return rows.length === 0 ? NO_JOBS : { rows, bytes };
  }

  /** Claims and publishes the backlog of `type` in the background until its window is full. */
  kick(type: string): void {
    if (this.stopped) return;
    this.track(
      this.drain(type).catch((error: unknown) =>
        this.logger.error(`dispatching ${type} requests failed: ${(error as Error).message}`),
      ),
    );
  }

  /** Claims and publishes until the type's window is full or its backlog empty. */
  async drain(type: string): Promise<void> {
    if (this.draining.has(type)) {
      this.again.add(type);
      return;
    }
    this.draining.add(type);
    try {
      do {
        this.again.delete(type);
        while (!this.stopped) {
          const claimed = await this.database.transaction((tx) => this.claimType(tx, type));
          if (claimed.rows.length === 0) break;
          await this.publish(claimed);
        }
      } while (this.again.has(type) && !this.stopped);
    } finally {
      this.draining.delete(type);
    }
  }

  /**
   * Publishes jobs claimed in a transaction that committed; resolves once each is confirmed (or
   * refused) and recorded. Their bytes go back to the budget as they are confirmed.
   */
  async publish(claimed: ClaimedJobs): Promise<void> {
    if (claimed.rows.length === 0) {
      this.budget.release(claimed.bytes);
      return;
    }
    const ordered = [...claimed.rows].sort(
      (a, b) => b.priority - a.priority || Number(a.seq) - Number(b.seq),
    );
    const publishedAt = Date.now();
    this.held.publish(ordered);
    // Before publishing: a fast worker's answer may be applied before the confirm is recorded.
    this.timings.published(ordered, publishedAt);
    const messages = this.messagesOf(ordered, publishedAt);
    const results = await Promise.allSettled(
      messages.map(({ message }) => this.amqp.publishJob(message)),
    );
    const accepted = new Set<DispatchRow>();
    messages.forEach(({ rows }, index) => {
      if (results[index]?.status === 'fulfilled') for (const row of rows) accepted.add(row);
    });
    const confirmed = ordered.filter((row) => accepted.has(row));
    const refused = ordered.length - confirmed.length;
    if (refused > 0) {
      // The reason says which failure it is: a nack (the queue refused them), a closed channel.
      const reason = results.find((result) => result.status === 'rejected')?.reason as
        Error | undefined;
      this.logger.warn(
        `${refused} job(s) refused by the broker (${reason?.message ?? 'no reason given'}); ` +
          'they are published again when their lease expires',
      );
    }
    try {
      if (confirmed.length === 0) return;
      this.counters.dispatched += confirmed.length;
      const confirmedAt = Date.now();
      this.timings.confirmed(confirmed, confirmedAt);
      await this.records.confirmed(
        confirmed.map((row) => ({
          id: row.id,
          attempt: row.attempt,
          granted: eventOf(row, 'GRANTED', { messages: [] }),
          confirmedAt,
        })),
      );
    } finally {
      this.held.settled(ordered);
      this.budget.release(claimed.bytes);
    }
  }

  /**
   * The messages carrying `rows`: per worker type, job batches when every live instance of the
   * type accepts them (the smallest `batch` advertised), one job per message otherwise.
   */
  private messagesOf(rows: readonly DispatchRow[], publishedAt: number): JobMessage[] {
    const byType = new Map<string, DispatchRow[]>();
    for (const row of rows) {
      const group = byType.get(row.worker_type);
      if (group) group.push(row);
      else byType.set(row.worker_type, [row]);
    }
    return [...byType].flatMap(([type, group]) =>
      jobMessages(
        this.names,
        group,
        {
          batch: this.catalogue.capacity(type).batch,
          maxBatchBytes: this.environment.maxBatchBytes,
        },
        publishedAt,
        (job) => this.traces.dispatch(job),
      ),
    );
  }

  /**
   * After the commit of a transaction that moved these rows on from TO_DISPATCH (an answer, a
   * cancel, a timeout): their pending DISPATCHED record is moot.
   */
  settled(ids: Iterable<string>): void {
    this.records.settled(ids);
  }

  /** `count` jobs of `type` stopped being outstanding (answered, cancelled, expired). */
  left(type: string, count: number): void {
    this.pace.record(type, count, Date.now());
  }

  /** The window of `type` now, as this replica sizes it (design 5.1, `windowSize`). */
  windowOf(type: string, policy = resolveDispatchPolicy(this.config.worker(type))): number {
    return windowSize(
      {
        liveConcurrency: liveConcurrency(this.catalogue, type),
        answeredPerSecond: this.pace.perSecond(type, Date.now()),
        horizonMs: this.environment.dispatchHorizonMs,
      },
      policy,
    );
  }

  /** True while this replica waits on the broker's confirm of that job (its lease is renewed). */
  isPending(id: string, attempt: number): boolean {
    return this.held.holds(id, attempt) || this.records.owes(id, attempt);
  }

  /**
   * Takes the bytes of rows a transaction loaded for publishing outside a claim (republished
   * jobs), given back if the transaction does not commit.
   */
  reserve(tx: Tx, rows: readonly DispatchRow[]): ClaimedJobs {
    const bytes = rows.reduce((sum, row) => sum + row.input.length, 0);
    this.budget.takePrefix([bytes]);
    tx.onRollback(() => this.budget.release(bytes));
    return { rows, bytes };
  }

  /** Keys of the jobs this replica waits on (tests, diagnostics). */
  pendingKeys(): DispatchKey[] {
    return this.held.keys(this.records.keys());
  }

  private async claimType(tx: Tx, type: string): Promise<ClaimedJobs> {
    return this.claims.claimType(tx, type, resolveDispatchPolicy(this.config.worker(type)));
  }

  /** See {@link WindowClaims.claimArrivals}: new requests claimed before their insert. */
  async claimArrivals(
    tx: Tx,
    type: string,
    arrivals: readonly ArrivingRequest[],
  ): Promise<ArrivalClaim | undefined> {
    const policy = resolveDispatchPolicy(this.config.worker(type));
    return this.claims.claimArrivals(tx, type, policy, arrivals);
  }

  /** See {@link WindowClaims.arrived}: the jobs of the claimed arrivals intake inserted. */
  arrived(
    tx: Tx,
    claims: readonly ArrivalClaim[],
    inserted: ReadonlyMap<string, string>,
  ): ClaimedJobs {
    return this.claims.arrived(tx, claims, inserted);
  }

  /** Wakes the type's dispatcher once the rate limit has a token again. */
  private retryLater(type: string, delayMs: number): void {
    if (this.stopped || this.retryTimers.has(type)) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(type);
      this.kick(type);
    }, delayMs);
    timer.unref();
    this.retryTimers.set(type, timer);
  }

  /** Wakes the type's dispatcher once published jobs gave bytes back. */
  private whenBudgetFrees(type: string): void {
    void this.budget.freed().then(() => this.kick(type));
  }

  private async renewLeases(): Promise<void> {
    // The owed DISPATCHED records count too: their rows stay TO_DISPATCH until written.
    const keys = this.pendingKeys();
    if (keys.length === 0) return;
    try {
      await this.repository.renewLeases(keys, this.environment.dispatchLeaseMs);
    } catch (error) {
      this.logger.warn(`dispatch leases not renewed: ${(error as Error).message}`);
    }
  }

  private track(run: Promise<unknown>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }
}
