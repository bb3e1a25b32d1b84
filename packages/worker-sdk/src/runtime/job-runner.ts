import { type ChannelLease, type Settlement } from '@org/amqp-kit';
import { isBatch, parseJobBatch, type ResponseInput } from '@org/protocol';
import { type ConsumeMessage } from 'amqplib';
import { JobAbortedError } from '../execution/job-aborted-error';
import {
  admit,
  admitItem,
  cancelledResponse,
  expiredResponse,
  responseFor,
  type Admission,
} from '../execution/response-for';
import { DEADLINE_PASSED_MESSAGE, startDecision } from '../execution/start-check';
import { levelEnabled } from '../logger';
import { type CancelledJobs } from './cancelled-jobs';
import { ConcurrencySlots } from './concurrency-slots';
import { abortJob, holdMessage, type HeldJob, type HeldMessage } from './held-message';
import { executeHeldJob, type ExecutionContext } from './job-execution';
import { type RuntimeDiagnostics } from './runtime-diagnostics';
import { settlesWithin } from './settle-within';
import { type StatsCollector } from './worker-stats';

/**
 * Everything between a delivered message and its settlement: admission (a single job or a batch
 * frame of several), `concurrency` slots shared by every job held, the checks made when a job
 * would start (cancelled while it waited, past its deadline), the handler, the answer through
 * the response coalescer, and one ack per message once every answer in it is confirmed.
 */
export class JobRunner<T> {
  /** Admitted jobs not finished (their answer not confirmed yet). */
  private readonly jobs = new Set<HeldJob>();
  /** Messages not settled yet. */
  private readonly messages = new Set<HeldMessage>();
  private readonly slots: ConcurrencySlots<HeldJob>;
  private idleWaiters: Array<() => void> = [];
  private readonly debug: boolean;

  constructor(
    private readonly context: ExecutionContext<T>,
    private readonly cancelled: CancelledJobs,
    private readonly statistics: StatsCollector,
    private readonly diagnostics: RuntimeDiagnostics,
  ) {
    this.slots = new ConcurrencySlots(context.options.concurrency, (job) => this.start(job));
    this.debug = levelEnabled(context.logger, 'debug');
  }

  /** Jobs received and not finished. */
  get inFlight(): number {
    return this.jobs.size;
  }

  requestIdsInFlight(): string[] {
    return [...this.jobs].map((held) => held.job.requestId);
  }

  accept(lease: ChannelLease, message: ConsumeMessage): void {
    if (!isBatch(message)) {
      const held = this.hold(lease, message, false, 1);
      this.admitted(held, admit(this.context.responder, message));
      return;
    }
    const batch = parseJobBatch(message);
    if (!batch.ok) {
      // A frame that cannot be read is refused whole (design 5.2): the queue dead-letters it to the manager.
      this.statistics.malformed += 1;
      this.context.logger.warn('malformed job batch rejected to the dead-letter exchange', {
        problems: batch.error.messages(),
      });
      this.settle(this.hold(lease, message, true, 0), 'reject');
      return;
    }
    const held = this.hold(lease, message, true, batch.value.length);
    for (const item of batch.value) this.admitted(held, admitItem(this.context.responder, item));
  }

  /**
   * A cancel order. With an attempt, the (request id, attempt) pair is remembered so that the job,
   * if it still waits (in the queue or here), is acknowledged unanswered when it would start.
   * A running job is aborted through its signal.
   */
  cancel(
    requestId: string | undefined,
    attempt: number | undefined,
    reason: string | undefined,
  ): void {
    if (requestId === undefined) return;
    if (attempt !== undefined) this.cancelled.add(requestId, attempt);
    let aborted = 0;
    for (const held of this.jobs) {
      if (held.job.requestId !== requestId) continue;
      if (attempt !== undefined && held.job.attempt !== attempt) continue;
      // v1 orders (no attempt) reach waiting jobs too: they answer "cancelled" when they would start.
      if (held.started || attempt === undefined) {
        if (abortJob(held, new JobAbortedError('cancel', reason)) && held.started) aborted += 1;
      }
    }
    // Cancels are broadcast to every instance of the type, so most instances do not hold the job.
    if (aborted > 0)
      this.context.logger.info('job cancelled by order', { requestId, attempt, reason });
  }

  /**
   * The channel `lease` came on has closed: the broker has already given its messages back (to
   * this instance's next channel or to another replica). Jobs of it still waiting are dropped,
   * and running ones stop counting against `concurrency`; they finish, and their answers still
   * go out, but their acks are dropped.
   */
  leaseClosed(lease: ChannelLease): void {
    // Taken out of the queue first: freeing slots below starts what waits.
    const dropped = this.slots.remove((job) => job.held.lease === lease);
    for (const job of this.jobs) if (job.held.lease === lease) this.releaseSlot(job);
    // Finished unanswered: the message settles (its settlement dropped) once its running jobs are done.
    for (const job of dropped) this.finish(job.held, job, true);
  }

  /** Requeues, at once, every message none of whose jobs has started (stop, drain). */
  releaseUnstarted(): number {
    const waiting = new Set([...this.messages].filter((held) => held.started === 0));
    if (waiting.size === 0) return 0;
    const released = this.slots.remove((job) => waiting.has(job.held));
    for (const job of released) this.forget(job);
    for (const held of waiting) this.settle(held, 'requeue');
    return released.length;
  }

  /** Aborts every running job and requeues every message held (the end of the shutdown grace). */
  abortAll(): string[] {
    const requestIds = this.requestIdsInFlight();
    for (const job of this.jobs) if (job.started) abortJob(job, new JobAbortedError('shutdown'));
    for (const job of this.slots.remove(() => true)) this.forget(job);
    for (const job of [...this.jobs]) this.forget(job);
    for (const held of [...this.messages]) this.settle(held, 'requeue');
    return requestIds;
  }

  /** Resolves true once every message held is settled, false after `ms`. */
  waitIdle(ms: number): Promise<boolean> {
    if (this.messages.size === 0) return Promise.resolve(true);
    return settlesWithin(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), ms).then(
      (idle) => idle && this.messages.size === 0,
    );
  }

  private hold(
    lease: ChannelLease,
    message: ConsumeMessage,
    batch: boolean,
    items: number,
  ): HeldMessage {
    const held = holdMessage(lease, message, batch, items);
    this.messages.add(held);
    return held;
  }

  private admitted(held: HeldMessage, admission: Admission): void {
    const { logger } = this.context;
    switch (admission.kind) {
      case 'unaddressable':
        this.statistics.malformed += 1;
        held.started += 1;
        if (!held.batch) {
          logger.warn('unaddressable job rejected to the dead-letter exchange', {
            problems: admission.messages,
          });
          this.settle(held, 'reject');
        } else {
          logger.warn('unaddressable item of a job batch dropped (no request id or attempt)', {
            problems: admission.messages,
          });
          this.finish(held, undefined, true);
        }
        return;
      case 'answer':
        logger.warn('invalid job answered INVALID_CONTENT', { problems: admission.messages });
        held.started += 1;
        this.answer(held, undefined, admission.response);
        return;
      case 'job': {
        const job: HeldJob = {
          held,
          job: admission.job,
          headers: admission.headers,
          parts: admission.parts,
          started: false,
          finished: false,
          slotHeld: false,
        };
        this.jobs.add(job);
        this.slots.enqueue(job);
      }
    }
  }

  /** A slot is free for `job`: decide whether it may run at all, then run it. */
  private start(held: HeldJob): void {
    held.started = true;
    held.slotHeld = true;
    held.held.started += 1;
    const { job } = held;
    const { responder, logger } = this.context;
    const decision = startDecision(job, Date.now(), this.cancelled, held.abortReason);
    if (decision === 'run') {
      this.run(held).catch((cause: unknown) => {
        logger.error('job processing failed unexpectedly; its message is requeued', {
          error: cause,
          requestId: job.requestId,
        });
        this.finish(held.held, held, false);
      });
      return;
    }
    this.releaseSlot(held);
    if (decision === 'withdrawn') {
      this.statistics.cancelledInQueue += 1;
      logger.info('job cancelled while it waited: acknowledged without running', {
        requestId: job.requestId,
        attempt: job.attempt,
      });
      this.finish(held.held, held, true);
    } else if (decision === 'expired') {
      this.statistics.expired += 1;
      logger.warn(`${DEADLINE_PASSED_MESSAGE}: answered ERROR without running it`, {
        requestId: job.requestId,
        deadline: new Date(job.deadline!).toISOString(),
      });
      this.answer(held.held, held, expiredResponse(responder, job));
    } else {
      const reason =
        held.abortReason instanceof JobAbortedError ? held.abortReason.detail : undefined;
      this.answer(held.held, held, cancelledResponse(responder, job, reason));
    }
  }

  private async run(held: HeldJob): Promise<void> {
    const { job } = held;
    if (this.debug) {
      this.context.logger.debug('job started', {
        requestId: job.requestId,
        attempt: job.attempt,
        redelivered: job.redelivered,
      });
    }
    const started = performance.now();
    let result;
    try {
      result = await executeHeldJob(this.context, held);
    } finally {
      this.releaseSlot(held);
    }
    // Requeued by a shutdown that ran out of grace: another replica answers it.
    if (held.held.settled) return this.forget(held);
    if (this.debug)
      this.context.logger.debug('job done', { requestId: job.requestId, status: result.status });
    const response = responseFor(this.context.responder, job, result);
    // Traced: the answer's parent is the job's span, not the dispatch (see job-span.ts).
    const traced = held.trace ? { ...response, ...held.trace } : response;
    this.answer(held.held, held, traced, performance.now() - started);
  }

  /**
   * Publishes a final answer; its job is finished, and counted as processed, once the broker
   * confirmed it (so a heartbeat never counts a job both processed and in flight).
   */
  private answer(
    held: HeldMessage,
    job: HeldJob | undefined,
    response: ResponseInput,
    handlerMs = 0,
  ): void {
    this.context.coalescer.send(response, held.batch).then(
      () => {
        this.statistics.record(response.status, handlerMs);
        this.finish(held, job, true);
      },
      (cause: unknown) => {
        this.context.logger.warn('response not confirmed by the broker; its message is requeued', {
          error: cause,
          requestId: response.requestId,
        });
        this.finish(held, job, false);
      },
    );
  }

  private finish(held: HeldMessage, job: HeldJob | undefined, confirmed: boolean): void {
    if (job) this.forget(job);
    held.unfinished -= 1;
    if (!confirmed) held.failed = true;
    if (held.unfinished <= 0) this.settle(held, held.failed ? 'requeue' : 'ack');
  }

  private releaseSlot(job: HeldJob): void {
    if (!job.slotHeld) return;
    job.slotHeld = false;
    this.slots.release();
  }

  private forget(job: HeldJob): void {
    job.finished = true;
    this.jobs.delete(job);
  }

  private settle(held: HeldMessage, how: Settlement): void {
    if (held.settled) return;
    held.settled = true;
    this.messages.delete(held);
    const outcome = held.lease.settle(held.message, how);
    if (outcome !== 'settled') {
      this.diagnostics.droppedSettlements += 1;
      this.context.logger.info(
        'settlement dropped: the message came on a channel that has since closed, so the broker redelivers it',
        { settlement: how, generation: held.lease.generation, outcome },
      );
    }
    if (this.messages.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
