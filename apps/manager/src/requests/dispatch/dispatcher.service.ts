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
import { claim } from '../engine/dispatch';
import { eventOf } from '../engine/effects';
import { type DispatchRow } from '../engine/request-row';
import { RowChange } from '../engine/row-change';
import { RequesterEvents } from '../events/requester-events.service';
import { RequestCounters } from '../request-counters';
import { RequestTimings } from '../request-timings';
import { DispatchRepository, type DispatchKey } from '../store/dispatch.repository';
import { RequestsRepository } from '../store/requests.repository';
import { AnswerPace } from './answer-pace';
import { ByteBudget } from './byte-budget';
import { type ClaimedJobs, NO_JOBS } from './claimed-jobs';
import { DispatchRecords } from './dispatch-records';
import { takeTokens, windowSize } from './dispatch-window';
import { type JobMessage, jobMessages } from './job-messages';
import { liveConcurrency } from './live-concurrency';

/** How long a claimed job's lease is renewed before its publish starts: far past any commit. */
const CLAIM_RENEWAL_MS = 60_000;

/**
 * Feeds each worker type its dispatch window (design 5.1). Claims happen inside the
 * transaction that made room or queued work (intake, answers, operations, sweeps), under the
 * type's advisory lock: the jobs outstanding are counted, the pause and the rate limit obeyed,
 * and the backlog taken in dispatch order up to the free slots and the replica's byte budget.
 * After commit the jobs are published. A confirmed job still unanswered after
 * `WM_DISPATCHED_AFTER_MS` is recorded DISPATCHED and its requester told GRANTED; one answered
 * before goes from TO_DISPATCH to its outcome, and the answer sends its GRANTED (design 5.3's
 * lean events, on the manager's side: a short job costs no row write for a state it leaves at
 * once). Until it is recorded, its lease is renewed like that of a job awaiting its confirm.
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
  /** Jobs published by this replica and not yet confirmed: their leases are renewed. */
  private readonly pending = new Map<string, number>();
  /**
   * Jobs claimed by this replica whose publish has not started yet (their transaction may still
   * be committing): their leases are renewed too, for at most {@link CLAIM_RENEWAL_MS}.
   */
  private readonly claimed = new Map<string, { attempt: number; claimedAt: number }>();
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
    if (claimed.rows.length === 0) return;
    const ordered = [...claimed.rows].sort(
      (a, b) => b.priority - a.priority || Number(a.seq) - Number(b.seq),
    );
    const publishedAt = Date.now();
    for (const row of ordered) {
      this.pending.set(row.id, row.attempt);
      this.forgetClaim(row.id, row.attempt);
    }
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
      this.logger.warn(
        `${refused} job(s) refused by the broker; they are published again when their lease expires`,
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
      for (const row of ordered) {
        if (this.pending.get(row.id) === row.attempt) this.pending.delete(row.id);
      }
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
    return (
      this.pending.get(id) === attempt ||
      this.claimed.get(id)?.attempt === attempt ||
      this.records.owes(id, attempt)
    );
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
    const keys = [...this.pending].map(([id, attempt]) => ({ id, attempt }));
    for (const key of this.records.keys()) if (!this.pending.has(key.id)) keys.push(key);
    const oldest = Date.now() - CLAIM_RENEWAL_MS;
    for (const [id, claim] of this.claimed) {
      // A claim never published (its caller failed after the commit) stops being renewed, so
      // its lease expires and the sweep publishes it: the safe default.
      if (claim.claimedAt < oldest) this.claimed.delete(id);
      else if (!this.pending.has(id)) keys.push({ id, attempt: claim.attempt });
    }
    return keys;
  }

  private forgetClaim(id: string, attempt: number): void {
    if (this.claimed.get(id)?.attempt === attempt) this.claimed.delete(id);
  }

  private async claimType(tx: Tx, type: string): Promise<ClaimedJobs> {
    if (this.stopped || !this.catalogue.isAvailable(type)) return NO_JOBS;
    const policy = resolveDispatchPolicy(this.config.worker(type));
    const window = this.windowOf(type, policy);
    if (window <= 0) return NO_JOBS;
    await this.repository.lockType(tx, type);
    const control = await this.repository.control(tx, type);
    if (control?.paused) return NO_JOBS;
    let free = window - (await this.repository.outstanding(tx, type));
    if (free <= 0) return NO_JOBS;
    const grant = policy.rateLimit ? takeTokens(control, policy.rateLimit, free) : undefined;
    if (grant) free = grant.granted;
    if (free <= 0) {
      if (grant?.nextInMs !== undefined) this.retryLater(type, grant.nextInMs);
      return NO_JOBS;
    }
    const candidates = await this.repository.candidates(tx, type, free, policy.fairness !== 'none');
    const count = this.budget.takePrefix(candidates.map((candidate) => candidate.size));
    const chosen = candidates.slice(0, count);
    const bytes = chosen.reduce((sum, candidate) => sum + candidate.size, 0);
    tx.onRollback(() => this.budget.release(bytes));
    if (count < candidates.length) this.whenBudgetFrees(type);
    if (grant) {
      // Tokens not used (fewer candidates than granted) stay in the bucket.
      await this.repository.saveTokens(tx, type, grant.remaining + (grant.granted - count));
      if (count === grant.granted && grant.nextInMs !== undefined)
        this.retryLater(type, grant.nextInMs);
    }
    if (chosen.length === 0) return NO_JOBS;
    const rows = await this.repository.load(
      tx,
      chosen.map((candidate) => candidate.id),
    );
    const changes = rows.map((row) => new RowChange(row)).filter((change) => claim(change));
    await this.requests.write(tx, changes, this.environment.dispatchLeaseMs);
    // Pending from the claim on, not from the publish: a commit that ends after the lease (a
    // loaded database) must not let the sweeper publish a second copy before this one goes out.
    const claimedAt = Date.now();
    for (const { row } of changes) this.claimed.set(row.id, { attempt: row.attempt, claimedAt });
    tx.onRollback(() => {
      for (const { row } of changes) this.forgetClaim(row.id, row.attempt);
    });
    return { rows: changes.map((change) => change.row as DispatchRow), bytes };
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
    if (this.pending.size === 0 && this.claimed.size === 0) return;
    try {
      await this.repository.renewLeases(this.pendingKeys(), this.environment.dispatchLeaseMs);
    } catch (error) {
      this.logger.warn(`dispatch leases not renewed: ${(error as Error).message}`);
    }
  }

  private track(run: Promise<unknown>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }
}
