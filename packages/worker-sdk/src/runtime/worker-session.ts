import {
  ConfirmPublisher,
  connected,
  createConnection,
  type ManagedConnection,
} from '@org/amqp-kit';
import { type OutgoingMessage, type WorkerMessageKind } from '@org/protocol';
import { type Responder } from '../execution/response-for';
import { type ResolvedWorkerOptions } from '../worker-options';
import { CancelledJobs } from './cancelled-jobs';
import { ConsumerChannel } from './consumer-channel';
import { handleControlOrder, type ControlTargets } from './control-orders';
import { Heartbeat } from './heartbeat';
import { JobRunner } from './job-runner';
import { Reconnector } from './reconnector';
import { ResponseCoalescer } from './response-coalescer';
import { type RuntimeDiagnostics } from './runtime-diagnostics';
import { socketOf } from './socket-of';
import { type StatsCollector } from './worker-stats';

/** What the session needs to know about the lifecycle around it. */
export interface SessionHost {
  readonly diagnostics: RuntimeDiagnostics;
  readonly statistics: StatsCollector;
  /** Starting or running (not stopping or stopped): jobs may flow, broken channels are worth restoring. */
  active(): boolean;
  starting(): boolean;
  workerMessage(kind: WorkerMessageKind): OutgoingMessage;
}

/**
 * The parts of a started worker, wired together: the connection (a list of URLs, backoff), the
 * confirm publisher, the consumer channel, the job runner with its response coalescer and
 * cancelled set, the heartbeat, and the reconnector that restores broken channels.
 */
export class WorkerSession<T> {
  readonly connection: ManagedConnection;
  readonly publisher: ConfirmPublisher;
  readonly consumer: ConsumerChannel;
  readonly runner: JobRunner<T>;
  readonly heartbeat: Heartbeat;
  private readonly reconnector: Reconnector;
  private readonly firstSetup = settleable();
  private drainOrdered = false;

  constructor(
    private readonly options: ResolvedWorkerOptions<T>,
    private readonly host: SessionHost,
  ) {
    const { logger, names } = options;
    this.connection = createConnection({
      urls: options.amqpUrls,
      name: `${options.type}/${options.instanceId}`,
      logger,
    });
    this.reconnector = new Reconnector(this.connection, logger, host.diagnostics, () =>
      host.active(),
    );
    this.publisher = ConfirmPublisher.open(this.connection.manager, {
      name: 'publish',
      capacity: options.maxBufferedPublishes,
      logger,
      onChannelError: (error) => this.reconnector.channelError('publish', error),
    });
    const responder: Responder = { names, workerType: options.type, workerId: options.instanceId };
    const coalescer = new ResponseCoalescer(this.publisher, names, host.diagnostics);
    this.runner = new JobRunner(
      { options, responder, coalescer, publisher: this.publisher, logger },
      new CancelledJobs(),
      host.statistics,
      host.diagnostics,
    );
    this.heartbeat = new Heartbeat(this.publisher, () => host.workerMessage('heartbeat'), logger);
    const targets: ControlTargets = {
      cancel: (requestId, attempt, reason) => {
        host.diagnostics.cancelOrders += 1;
        this.runner.cancel(requestId, attempt, reason);
      },
      drain: (reason) => void this.drain(reason),
      resume: () => void this.resume(),
    };
    this.consumer = new ConsumerChannel({
      names,
      type: options.type,
      instanceId: options.instanceId,
      declareQueue: options.declareQueue,
      prefetch: options.concurrency,
      logger,
      diagnostics: host.diagnostics,
      reconnector: this.reconnector,
      shouldConsume: () => !this.drainOrdered && host.active(),
      onJob: (lease, message) => this.runner.accept(lease, message),
      onLeaseClosed: (lease) => this.runner.leaseClosed(lease),
      onControl: (message) => handleControlOrder(message, targets, logger),
      onRefused: (cause) => {
        if (host.starting()) this.firstSetup.reject(cause);
        else {
          logger.error('channel setup refused by the broker; reconnecting with backoff', {
            error: cause,
          });
          this.reconnector.schedule();
        }
      },
      onReady: () => {
        this.connection.resetBackoff();
        this.firstSetup.resolve();
      },
    });
    this.consumer.open(this.connection.manager);
  }

  /** A drain order is in force: no job consumer, heartbeats say `draining`. */
  get draining(): boolean {
    return this.drainOrdered;
  }

  /** Drain order: take no new jobs, hand back the messages not started, finish the rest. */
  async drain(reason: string | undefined): Promise<void> {
    if (this.drainOrdered) return;
    this.drainOrdered = true;
    await this.consumer.pause();
    const requeued = this.runner.releaseUnstarted();
    this.options.logger.info('drain ordered: taking no new jobs', {
      reason,
      inFlight: this.runner.inFlight,
      requeued,
    });
    this.heartbeat.beat(true);
  }

  async resume(): Promise<void> {
    if (!this.drainOrdered || !this.host.active()) return;
    this.drainOrdered = false;
    await this.consumer.consume().catch((cause: unknown) => {
      this.options.logger.warn('could not resume consuming; reconnecting', { error: cause });
      this.reconnector.schedule();
    });
    this.options.logger.info('resume ordered: taking jobs again');
    this.heartbeat.beat(true);
  }

  /** Resolves once connected and consuming; rejects on a refusal, after `timeoutMs`, or on `abort`. */
  async ready(timeoutMs: number | undefined): Promise<void> {
    await Promise.all([connected(this.connection, timeoutMs), this.firstSetup.promise]);
  }

  /** Makes a pending start give up (stop() during start). */
  abort(reason: Error): void {
    this.firstSetup.reject(reason);
    this.connection.interruptBackoff();
  }

  async close(): Promise<void> {
    this.heartbeat.stop();
    this.connection.interruptBackoff();
    await this.connection.manager.close();
  }

  /** Testing hook: see `RuntimeDiagnostics.cutConnection`. */
  destroySocket(): void {
    const socket = socketOf(this.connection.manager.connection);
    if (!socket) throw new Error('destroySocket(): the worker is not connected');
    socket.destroy(new Error('socket destroyed by a test'));
  }
}

interface Settleable {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(cause: unknown): void;
}

function settleable(): Settleable {
  let resolve!: () => void;
  let reject!: (cause: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejected only while start() awaits it, but never let it surface as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
