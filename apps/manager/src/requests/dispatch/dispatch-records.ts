import { type Logger } from '@nestjs/common';
import { type PendingEvent } from '../engine/effects';
import { type DispatchKey } from '../store/dispatch.repository';

/** A job confirmed by the broker whose DISPATCHED record is not written yet. */
export interface ConfirmedJob extends DispatchKey {
  /** Its requester's GRANTED, sent once the record is written. */
  readonly granted: PendingEvent;
  readonly confirmedAt: number;
}

/** What writing the records needs from the dispatcher. */
export interface RecordSink {
  /** Records the jobs DISPATCHED (those still TO_DISPATCH); resolves with the ids recorded. */
  markDispatched(keys: readonly DispatchKey[]): Promise<Set<string>>;
  /** Hands informational events to the channel. */
  inform(events: readonly PendingEvent[]): void;
  /** Keeps a background run until shutdown waits for it. */
  track(run: Promise<unknown>): void;
}

/**
 * The DISPATCHED records a replica owes (`WM_DISPATCHED_AFTER_MS`): a confirmed job is recorded,
 * and its GRANTED sent, once it has been unanswered for the delay; a job whose answer (or cancel,
 * or timeout) is committed first is forgotten, its row having moved on from TO_DISPATCH.
 * Only the key and the GRANTED event are kept, not the input: its bytes went back to the budget
 * at the confirm. The owed jobs' leases are renewed by the dispatcher ({@link keys}).
 */
export class DispatchRecords {
  /** In confirm order, so the due ones are a prefix. */
  private readonly owed = new Map<string, ConfirmedJob>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly delayMs: number,
    private readonly sink: RecordSink,
    private readonly logger: Logger,
  ) {}

  /** Jobs just confirmed: recorded now with a delay of 0, else once due. */
  async confirmed(jobs: readonly ConfirmedJob[]): Promise<void> {
    if (this.delayMs === 0 || this.stopped) return this.record(jobs);
    for (const job of jobs) {
      // Deleted first, so a job sent again moves to the end of the confirm order.
      this.owed.delete(job.id);
      this.owed.set(job.id, job);
    }
    this.schedule();
  }

  /** Rows that moved on from TO_DISPATCH in a committed transaction: nothing is owed for them. */
  settled(ids: Iterable<string>): void {
    for (const id of ids) this.owed.delete(id);
  }

  /** True while the record of that attempt is owed. */
  owes(id: string, attempt: number): boolean {
    return this.owed.get(id)?.attempt === attempt;
  }

  /** The owed jobs (their leases are renewed until recorded). */
  keys(): DispatchKey[] {
    return [...this.owed.values()].map(({ id, attempt }) => ({ id, attempt }));
  }

  /**
   * Records every owed job now: once this replica is gone nothing renews their leases, and the
   * sweep would send them again.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.recordDue(true);
  }

  private async record(jobs: readonly ConfirmedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const marked = await this.sink.markDispatched(jobs);
    // A row already answered is past TO_DISPATCH: its requester heard the outcome instead.
    this.sink.inform(jobs.filter((job) => marked.has(job.id)).map((job) => job.granted));
  }

  private schedule(): void {
    if (this.timer !== undefined || this.owed.size === 0 || this.stopped) return;
    // A quarter of the delay: a long job is recorded at most a quarter late.
    const every = Math.max(10, Math.ceil(this.delayMs / 4));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sink.track(this.recordDue(false));
    }, every);
    this.timer.unref();
  }

  private async recordDue(all: boolean): Promise<void> {
    const cutoff = Date.now() - this.delayMs;
    const due: ConfirmedJob[] = [];
    for (const [id, job] of this.owed) {
      if (!all && job.confirmedAt > cutoff) break;
      due.push(job);
      this.owed.delete(id);
    }
    try {
      await this.record(due);
    } catch (error) {
      // Left TO_DISPATCH, no longer renewed: the lease sweep sends them again (a new attempt).
      this.logger.warn(`${due.length} dispatch(es) not recorded: ${(error as Error).message}`);
    } finally {
      this.schedule();
    }
  }
}
