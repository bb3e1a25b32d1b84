import { redactUrls } from '@org/amqp-kit';
import { type OutgoingMessage, type WorkerMessageKind } from '@org/protocol';
import { payloadSchema } from '../payload-schema';
import { type Worker, type WorkerState, type WorkerStats } from '../worker';
import { type ResolvedWorkerOptions } from '../worker-options';
import { startErrorOf, WorkerStartError } from '../worker-start-error';
import { RuntimeDiagnostics, WORKER_INTERNALS } from './runtime-diagnostics';
import { settlesWithin } from './settle-within';
import { installSignalHandlers } from './signals';
import { WorkerSession } from './worker-session';
import { StatsCollector } from './worker-stats';
import { workerStatusMessage } from './worker-status-message';

const UNREGISTER_TIMEOUT_MS = 5000;

/** The worker behind `createWorker()`: its lifecycle. The parts live in {@link WorkerSession}. */
export class WorkerRuntime<T> implements Worker {
  readonly instanceId: string;
  readonly type: string;
  /** Counters and testing hooks, for `@org/worker-sdk/testing` only. */
  readonly [WORKER_INTERNALS] = new RuntimeDiagnostics();
  private readonly statistics = new StatsCollector();
  private readonly schema: Record<string, unknown> | undefined;
  private state: WorkerState = 'created';
  private session: WorkerSession<T> | undefined;
  private startedAt = new Date().toISOString();
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private uninstallSignals: (() => void) | undefined;

  constructor(private readonly options: ResolvedWorkerOptions<T>) {
    this.instanceId = options.instanceId;
    this.type = options.type;
    this.schema = options.payload ? payloadSchema(options.payload) : undefined;
    this[WORKER_INTERNALS].cutConnection = (reconnect) => this.cutConnection(reconnect);
  }

  start(): Promise<void> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  stats(): WorkerStats {
    return {
      state: this.state,
      status: this.status(),
      ...this.statistics.snapshot(this.session?.runner.inFlight ?? 0),
    };
  }

  private async doStart(): Promise<void> {
    if (this.state !== 'created') {
      throw new Error(
        `worker "${this.type}" cannot start: it is ${this.state}; create a new worker instead`,
      );
    }
    this.state = 'starting';
    const { names, logger } = this.options;
    const session = new WorkerSession(this.options, {
      diagnostics: this[WORKER_INTERNALS],
      statistics: this.statistics,
      active: () => this.state === 'starting' || this.state === 'running',
      starting: () => this.state === 'starting',
      workerMessage: (kind) => this.workerMessage(kind),
    });
    this.session = session;
    try {
      await session.ready(this.options.startTimeoutMs);
      this.statistics.cpuPercent();
      this.startedAt = new Date().toISOString();
      await session.publisher.publish(this.workerMessage('register'));
    } catch (cause) {
      await session.close().catch(() => undefined);
      this.state = 'stopped';
      throw startErrorOf(cause, this.startContext());
    }
    session.heartbeat.start(this.options.heartbeatIntervalMs);
    if (this.options.handleSignals)
      this.uninstallSignals = installSignalHandlers(() => this.stop(), logger);
    this.state = 'running';
    logger.info('worker started', {
      queue: names.workerQueue(this.type),
      concurrency: this.options.concurrency,
      batch: this.options.batch,
      namespace: names.namespace,
    });
  }

  private async doStop(): Promise<void> {
    if (this.state === 'starting') {
      this.session?.abort(new WorkerStartError('stopped', this.startContext()));
      await this.startPromise?.catch(() => undefined);
    }
    const session = this.session;
    if (this.state === 'created' || this.state === 'stopped' || !session) {
      this.state = 'stopped';
      return;
    }
    const { logger, shutdownGraceMs } = this.options;
    this.state = 'stopping';
    logger.info('stopping: taking no new jobs', { inFlight: session.runner.inFlight });
    await session.consumer.pause();
    session.heartbeat.beat(true);
    const released = session.runner.releaseUnstarted();
    if (released > 0) logger.info('requeued the jobs not started yet', { requeued: released });
    if (!(await session.runner.waitIdle(shutdownGraceMs))) {
      const requestIds = session.runner.abortAll();
      logger.warn('shutdown grace period over: aborted and requeued the remaining jobs', {
        requestIds,
      });
    }
    session.heartbeat.stop();
    const unregistered = session.publisher
      .publish(this.workerMessage('unregister'))
      .catch((cause: unknown) => logger.warn('unregister was not published', { error: cause }));
    if (!(await settlesWithin(unregistered, UNREGISTER_TIMEOUT_MS))) {
      logger.warn(
        `unregister not confirmed within ${UNREGISTER_TIMEOUT_MS} ms; the manager will expire this instance`,
      );
    }
    await session
      .close()
      .catch((cause: unknown) =>
        logger.warn('error while closing the connection', { error: cause }),
      );
    this.uninstallSignals?.();
    this.state = 'stopped';
    logger.info('worker stopped', { ...this.statistics.snapshot(session.runner.inFlight) });
  }

  private status(): 'ready' | 'draining' {
    return this.session?.draining || this.state === 'stopping' || this.state === 'stopped'
      ? 'draining'
      : 'ready';
  }

  private workerMessage(kind: WorkerMessageKind): OutgoingMessage {
    return workerStatusMessage(this.options, kind, {
      status: this.status(),
      startedAt: this.startedAt,
      stats: this.statistics.snapshot(this.session?.runner.inFlight ?? 0),
      cpu: this.statistics.cpuPercent(),
      schema: this.schema,
    });
  }

  private startContext(): string {
    return `worker "${this.type}" could not start on ${redactUrls(this.options.amqpUrls)} (namespace "${this.options.names.namespace}")`;
  }

  /** Testing hook behind `destroySocket` / `killWorker`: a network cut, or a dead process. */
  private cutConnection(reconnect: boolean): string[] {
    const session = this.session;
    if (!session) throw new Error('the worker is not started');
    const requestIds = session.runner.requestIdsInFlight();
    if (!reconnect) {
      this.state = 'stopped';
      session.heartbeat.stop();
      this.uninstallSignals?.();
    }
    session.destroySocket();
    if (!reconnect) void session.close().catch(() => undefined);
    return requestIds;
  }
}
