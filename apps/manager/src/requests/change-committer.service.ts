import { Inject, Injectable } from '@nestjs/common';
import { OUTSTANDING_REQUEST_STATES } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { type Tx } from '../database/database.service';
import { type ClaimedJobs } from './dispatch/claimed-jobs';
import { Dispatcher } from './dispatch/dispatcher.service';
import { type CancelOrder, type Effects, type PendingEvent } from './engine/effects';
import { type RowChange } from './engine/row-change';
import { ControlOrders } from './events/control-orders.service';
import { GraphRunner } from './graph-runner.service';
import { RequesterEvents } from './events/requester-events.service';
import { RequestsRepository } from './store/requests.repository';
import { type StagedEvents } from './store/outbox.repository';
import { WebhookOutbox } from '../webhooks/webhook-outbox.repository';

/** What a transaction decided, to carry out once it committed. */
export interface AfterCommit {
  readonly events: readonly PendingEvent[];
  readonly staged: StagedEvents;
  readonly cancels: readonly CancelOrder[];
  readonly jobs: ClaimedJobs;
  /** Jobs that stopped being outstanding, by worker type (they pace its window). */
  readonly left: ReadonlyMap<string, number>;
  /** Rows moved on from TO_DISPATCH: no DISPATCHED record is owed for them any more. */
  readonly settled: readonly string[];
}

/**
 * The last two steps of every engine service (lock → decide → write → after commit): writes the
 * decided rows, stages the terminal events, refills the windows the decisions freed or fed, all
 * in the caller's transaction; then, after commit, sends what follows.
 */
@Injectable()
export class ChangeCommitter {
  constructor(
    private readonly requests: RequestsRepository,
    private readonly dispatcher: Dispatcher,
    private readonly events: RequesterEvents,
    private readonly controls: ControlOrders,
    private readonly webhooks: WebhookOutbox,
    private readonly graphs: GraphRunner,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  /** Inside the transaction: rows, outbox, and claims for every type with room or new work. */
  async commit(tx: Tx, decided: readonly RowChange[], effects: Effects): Promise<AfterCommit> {
    // Graph requests touched by these decisions settle first: more rows may change.
    const changes = [...decided, ...(await this.graphs.settle(tx, decided, effects))];
    await this.requests.write(tx, changes, this.environment.dispatchLeaseMs);
    const staged = await this.events.stage(tx, effects.terminal);
    // Webhook deliveries of these events, in the same transaction (webhooks/ does the rest).
    if (effects.terminal.length + effects.events.length > 0) {
      await this.webhooks.stage(
        tx,
        [...effects.events, ...effects.terminal].map((p) => p.event),
      );
    }
    const wake = new Set(effects.wake);
    const left = new Map<string, number>();
    const settled: string[] = [];
    for (const change of changes) {
      if (
        change.before === 'TO_DISPATCH' &&
        (change.finished || change.row.state !== 'TO_DISPATCH')
      )
        settled.push(change.row.id);
      // A job of this type is no longer outstanding: its slot is free for the next one.
      if (
        OUTSTANDING_REQUEST_STATES.includes(change.before) &&
        (change.finished ||
          !OUTSTANDING_REQUEST_STATES.includes(change.row.state) ||
          change.row.worker_type !== change.beforeWorkerType)
      ) {
        wake.add(change.beforeWorkerType);
        left.set(change.beforeWorkerType, (left.get(change.beforeWorkerType) ?? 0) + 1);
      }
    }
    const jobs = await this.dispatcher.claimInTx(tx, wake);
    return { events: effects.events, staged, cancels: effects.cancels, jobs, left, settled };
  }

  /**
   * After commit: informational events handed to the channel first (so they precede the
   * terminal ones), then terminal events, jobs and cancel orders, their confirms awaited
   * together.
   */
  async carryOut(after: AfterCommit): Promise<void> {
    for (const [type, count] of after.left) this.dispatcher.left(type, count);
    this.dispatcher.settled(after.settled);
    this.events.inform(after.events);
    await Promise.all([
      this.events.deliver(after.staged),
      this.dispatcher.publish(after.jobs),
      this.controls.cancel(after.cancels),
    ]);
  }
}
