import { type DispatchPolicy } from '@org/protocol';
import { type Tx } from '../../database/database.service';
import { claim } from '../engine/dispatch';
import { type DispatchRow, type RequestRow } from '../engine/request-row';
import { RowChange } from '../engine/row-change';
import { type DispatchRepository } from '../store/dispatch.repository';
import { type RequestsRepository } from '../store/requests.repository';
import { type ByteBudget } from './byte-budget';
import { type ClaimedJobs, NO_JOBS } from './claimed-jobs';
import { takeTokens, type TokenGrant } from './dispatch-window';
import { type HeldJobs } from './held-jobs';

/** A request intake is recording, offered to {@link WindowClaims.claimArrivals}. */
export interface ArrivingRequest {
  readonly row: RequestRow;
  readonly input: Buffer;
}

/** Arrivals of one type claimed before their insert, and the budget bytes they took. */
export interface ArrivalClaim {
  readonly chosen: readonly ArrivingRequest[];
  readonly bytes: number;
}

const NO_ARRIVALS: ArrivalClaim = { chosen: [], bytes: 0 };

/** What a type's window and rate limit allow now. */
interface Slots {
  readonly free: number;
  readonly grant: TokenGrant | undefined;
}

/** What claiming needs from the dispatcher that owns it. */
export interface ClaimHooks {
  readonly budget: ByteBudget;
  readonly held: HeldJobs;
  /** The dispatch lease of claimed rows (`WM_DISPATCH_LEASE_MS`). */
  readonly leaseMs: number;
  /** False once the dispatcher stopped, or while the type has no live instance. */
  isOpen(type: string): boolean;
  windowOf(type: string, policy: DispatchPolicy): number;
  /** Wakes the type's dispatcher once the rate limit has a token again. */
  retryLater(type: string, delayMs: number): void;
  /** Wakes the type's dispatcher once published jobs gave bytes back. */
  whenBudgetFrees(type: string): void;
}

/**
 * How a type's jobs are claimed (design 5.1), inside the caller's transaction and under the
 * type's advisory lock: the jobs outstanding are counted, the pause and the rate limit obeyed,
 * and the backlog taken in dispatch order up to the free slots and the replica's byte budget;
 * or, for a type with no backlog, the requests intake is recording are claimed as they arrive.
 * Claimed rows are held (their leases renewed) from the claim on.
 */
export class WindowClaims {
  constructor(
    private readonly repository: DispatchRepository,
    private readonly requests: RequestsRepository,
    private readonly hooks: ClaimHooks,
  ) {}

  /** Claims what the type's window has room for from its backlog, in dispatch order. */
  async claimType(tx: Tx, type: string, policy: DispatchPolicy): Promise<ClaimedJobs> {
    const slots = await this.openSlots(tx, type, policy);
    if (!slots) return NO_JOBS;
    const candidates = await this.repository.candidates(
      tx,
      type,
      slots.free,
      policy.fairness !== 'none',
    );
    const { count, bytes } = await this.takeSlots(
      tx,
      type,
      slots,
      candidates.map((candidate) => candidate.size),
    );
    if (count === 0) return NO_JOBS;
    const rows = await this.repository.load(
      tx,
      candidates.slice(0, count).map((candidate) => candidate.id),
    );
    const changes = rows.map((row) => new RowChange(row)).filter((change) => claim(change));
    await this.requests.write(tx, changes, this.hooks.leaseMs);
    const claimedRows = changes.map((change) => change.row as DispatchRow);
    this.holdClaims(tx, claimedRows);
    return { rows: claimedRows, bytes };
  }

  /**
   * Claims requests intake is about to record, before they are inserted, when their type has
   * no backlog: those the window, the rate limit and the byte budget have room for (highest
   * priority first, then arrival) are moved to TO_DISPATCH here and inserted so, which saves
   * the claim's read, its update and a history row per request. Returns undefined when the type
   * must be claimed the usual way after the insert (older requests wait, or a fair type has
   * less room than arrivals: its round robin decides); otherwise the rows chosen, none if the
   * window is full. The caller passes the inserted ones to {@link arrived}.
   */
  async claimArrivals(
    tx: Tx,
    type: string,
    policy: DispatchPolicy,
    arrivals: readonly ArrivingRequest[],
  ): Promise<ArrivalClaim | undefined> {
    // Read before the lock too: while requests wait (a busy type), the arrivals are not claimed
    // here, and the lock is taken once, by the usual claim after the insert.
    if (await this.repository.hasBacklog(tx, type)) return undefined;
    const slots = await this.openSlots(tx, type, policy);
    if (!slots) return NO_ARRIVALS;
    // Under the lock, again: requests queued meanwhile go first.
    if (await this.repository.hasBacklog(tx, type)) return undefined;
    if (policy.fairness !== 'none' && slots.free < arrivals.length) return undefined;
    const ordered = [...arrivals].sort((a, b) => b.row.priority - a.row.priority);
    const room = ordered.slice(0, slots.free);
    const { count, bytes } = await this.takeSlots(
      tx,
      type,
      slots,
      room.map((arrival) => arrival.input.length),
    );
    const chosen = room.slice(0, count);
    // The rows are intake's own images: a transaction run again (a deadlock) must find them as
    // they were, waiting, or it would insert them TO_DISPATCH without claiming them.
    const before = chosen.map(({ row }) => waitingImage(row));
    for (const { row } of chosen) claim(new RowChange(row));
    tx.onRollback(() => chosen.forEach(({ row }, index) => Object.assign(row, before[index])));
    return { chosen, bytes };
  }

  /**
   * The arrivals claimed by {@link claimArrivals} that intake inserted (an id already recorded
   * is not): their jobs, to publish after commit. The bytes of all go back when they are
   * published (those of an arrival not inserted with them: it costs a moment of budget, and a
   * release now would be released again if the transaction rolled back).
   */
  arrived(
    tx: Tx,
    claims: readonly ArrivalClaim[],
    inserted: ReadonlyMap<string, string>,
  ): ClaimedJobs {
    const rows: DispatchRow[] = [];
    let bytes = 0;
    for (const claim of claims) {
      bytes += claim.bytes;
      for (const { row, input } of claim.chosen) {
        const seq = inserted.get(row.id);
        if (seq === undefined) continue;
        // The row becomes its job: spelled as two assignments, not a spread of thirty columns.
        const job = row as DispatchRow;
        job.seq = seq;
        job.input = input;
        rows.push(job);
      }
    }
    this.holdClaims(tx, rows);
    return bytes === 0 ? NO_JOBS : { rows, bytes };
  }

  /**
   * Under the type's lock: how many of its jobs may be claimed now (the window's free slots,
   * within the rate limit), or undefined when none may.
   */
  private async openSlots(
    tx: Tx,
    type: string,
    policy: DispatchPolicy,
  ): Promise<Slots | undefined> {
    if (!this.hooks.isOpen(type)) return undefined;
    const window = this.hooks.windowOf(type, policy);
    if (window <= 0) return undefined;
    await this.repository.lockType(tx, type);
    const control = await this.repository.control(tx, type);
    if (control?.paused) return undefined;
    let free = window - (await this.repository.outstanding(tx, type));
    if (free <= 0) return undefined;
    const grant = policy.rateLimit ? takeTokens(control, policy.rateLimit, free) : undefined;
    if (grant) free = grant.granted;
    if (free <= 0) {
      if (grant?.nextInMs !== undefined) this.hooks.retryLater(type, grant.nextInMs);
      return undefined;
    }
    return { free, grant };
  }

  /**
   * Takes from the byte budget the longest prefix of jobs of these sizes it holds (given back
   * if the transaction does not commit) and keeps the rate limit's unused tokens.
   */
  private async takeSlots(
    tx: Tx,
    type: string,
    { grant }: Slots,
    sizes: readonly number[],
  ): Promise<{ count: number; bytes: number }> {
    const count = this.hooks.budget.takePrefix(sizes);
    let bytes = 0;
    for (let index = 0; index < count; index += 1) bytes += sizes[index]!;
    tx.onRollback(() => this.hooks.budget.release(bytes));
    if (count < sizes.length) this.hooks.whenBudgetFrees(type);
    if (grant) {
      // Tokens not used (fewer jobs than granted) stay in the bucket.
      await this.repository.saveTokens(tx, type, grant.remaining + (grant.granted - count));
      if (count === grant.granted && grant.nextInMs !== undefined)
        this.hooks.retryLater(type, grant.nextInMs);
    }
    return { count, bytes };
  }

  /**
   * Pending from the claim on, not from the publish: a commit that ends after the lease (a
   * loaded database) must not let the sweeper publish a second copy before this one goes out.
   */
  private holdClaims(tx: Tx, rows: readonly RequestRow[]): void {
    if (rows.length === 0) return;
    this.hooks.held.claim(rows);
    tx.onRollback(() => this.hooks.held.unclaim(rows));
  }
}

/** What {@link claim} changes on a waiting row, to put back. */
function waitingImage(row: RequestRow): Partial<RequestRow> {
  const { state, attempt, cycle_attempts, worker_id, messages } = row;
  return { state, attempt, cycle_attempts, worker_id, messages };
}
