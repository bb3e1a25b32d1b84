import { type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConsumeMessage } from 'amqplib';
import {
  abortDelivery,
  signalOf,
  socketOf,
  type ChannelLease,
  type Delivery,
  type Settlement,
} from './delivery';
import { workerStatusMessage } from './worker-status-message';
import {
  assertTopology,
  checkTopology,
  controlTopology,
  parseControlOrder,
  workerTopology,
  type DeliveredJob,
  type OutgoingMessage,
  type WorkerMessageKind,
} from '@org/protocol';
import { executeJob, type JobEnvironment } from '../execution/execute-job';
import { JobAbortedError } from '../execution/job-aborted-error';
import { ProgressThrottle } from '../execution/progress-throttle';
import { admit, responseFor, statusResponse, type Responder } from '../execution/response-for';
import { submissionFor } from '../execution/submit-request';
import { levelEnabled, type Logger } from '../logger';
import { payloadSchema } from '../payload-schema';
import { type Worker, type WorkerState, type WorkerStats } from '../worker';
import { type ResolvedWorkerOptions } from '../worker-options';
import { createConnection, redact, type ManagedConnection } from './connection';
import { Publisher } from './publisher';
import { settlesWithin } from './settle-within';
import { installSignalHandlers } from './signals';
import { StatsCollector } from './worker-stats';

/** Counters for tests and debugging; not part of the public API. */
export interface WorkerDiagnostics {
  /** Consumer channels set up so far (1 + reconnects). */
  readonly setups: number;
  /** Channel-level errors the broker raised (a stale ack would be one). */
  readonly channelErrors: number;
  /** Acks or nacks dropped because their channel had closed. */
  readonly droppedSettlements: number;
}

const UNREGISTER_TIMEOUT_MS = 5000;

/** The worker behind `createWorker()`. */
export class WorkerRuntime<T> implements Worker {
  readonly instanceId: string;
  readonly type: string;

  private state: WorkerState = 'created';
  private drainOrdered = false;
  private connection: ManagedConnection | undefined;
  private publisher: Publisher | undefined;
  private lease: ChannelLease | undefined;
  private generation = 0;
  private readonly inFlight = new Set<Delivery>();
  private readonly statistics = new StatsCollector();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatPending = false;
  private startedAt = new Date().toISOString();
  private uninstallSignals: (() => void) | undefined;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private readonly firstSetup = settleable();
  private idleWaiters: Array<() => void> = [];
  private setupWaiters: Array<{ count: number; resolve: () => void }> = [];
  private reconnectScheduled = false;
  private readonly counters = { setups: 0, channelErrors: 0, droppedSettlements: 0 };
  private readonly responder: Responder;
  private readonly logger: Logger;
  private readonly debug: boolean;
  private readonly schema: Record<string, unknown> | undefined;

  constructor(private readonly options: ResolvedWorkerOptions<T>) {
    this.instanceId = options.instanceId;
    this.type = options.type;
    this.logger = options.logger;
    this.debug = levelEnabled(this.logger, 'debug');
    this.responder = {
      names: options.names,
      workerType: options.type,
      workerId: options.instanceId,
    };
    this.schema = options.payload ? payloadSchema(options.payload) : undefined;
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
      ...this.statistics.snapshot(this.inFlight.size),
    };
  }

  /** @internal Testing hook: counters of channel-level events. */
  diagnostics(): WorkerDiagnostics {
    return { ...this.counters };
  }

  /** @internal Testing hook: resolves once `count` consumer channels have been set up in total. */
  waitForSetups(count: number): Promise<void> {
    if (this.counters.setups >= count) return Promise.resolve();
    return new Promise((resolve) => this.setupWaiters.push({ count, resolve }));
  }

  /**
   * @internal Testing hook: destroys the TCP socket under the connection, as a network failure
   * does (no AMQP close handshake), and returns the request ids in flight at that moment (the
   * jobs whose acks can no longer be sent). With `reconnect` the connection manager reconnects
   * as it would in production; without, the instance goes silent for good, like a killed process.
   */
  destroySocketForTesting(reconnect: boolean): string[] {
    const stream = socketOf(this.connection?.manager.connection);
    if (!stream) throw new Error('destroySocketForTesting(): the worker is not connected');
    const requestIds = [...this.inFlight].map((delivery) => delivery.requestId ?? '(unparsed)');
    if (!reconnect) {
      this.state = 'stopped';
      clearInterval(this.heartbeatTimer);
      this.uninstallSignals?.();
    }
    stream.destroy(new Error('socket destroyed by a test'));
    if (!reconnect) void this.closeConnection();
    return requestIds;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private async doStart(): Promise<void> {
    if (this.state !== 'created') {
      throw new Error(
        `worker "${this.type}" cannot start: it is ${this.state}; create a new worker instead`,
      );
    }
    this.state = 'starting';
    const { names, amqpUrl } = this.options;
    const connection = createConnection(amqpUrl, this.logger, `${this.type}/${this.instanceId}`);
    this.connection = connection;
    const publisherChannel = connection.manager.createChannel({
      name: 'publish',
      confirm: true,
      setup: (channel: Channel) => {
        channel.on('error', (error: Error) => this.onChannelError('publish', error));
        return Promise.resolve();
      },
    });
    const consumerChannel = connection.manager.createChannel({
      name: 'consume',
      confirm: false,
      setup: (channel: Channel) => this.setupConsumer(channel),
    });
    for (const wrapper of [publisherChannel, consumerChannel]) this.watchWrapper(wrapper);
    this.publisher = new Publisher(publisherChannel, this.options.maxBufferedPublishes);
    try {
      await Promise.all([connection.manager.connect(), this.firstSetup.promise]);
      this.statistics.cpuPercent();
      this.startedAt = new Date().toISOString();
      await this.publisher.publish(this.workerMessage('register'));
    } catch (cause) {
      await this.closeConnection();
      this.state = 'stopped';
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new Error(
        `worker "${this.type}" could not start on ${redact(amqpUrl)} (namespace "${names.namespace}"): ${message}`,
        { cause },
      );
    }
    this.heartbeatTimer = setInterval(() => this.beat(false), this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    if (this.options.handleSignals)
      this.uninstallSignals = installSignalHandlers(() => this.stop(), this.logger);
    this.state = 'running';
    this.logger.info('worker started', {
      queue: names.workerQueue(this.type),
      concurrency: this.options.concurrency,
      namespace: names.namespace,
    });
  }

  private async doStop(): Promise<void> {
    if (this.state === 'created') {
      this.state = 'stopped';
      return;
    }
    if (this.state === 'starting') {
      this.firstSetup.reject(new Error('stop() was called before the worker finished starting'));
      this.connection?.interruptBackoff();
      await this.startPromise?.catch(() => undefined);
    }
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    this.logger.info('stopping: taking no new jobs', { inFlight: this.inFlight.size });
    await this.stopConsuming();
    this.beat(true);
    if (!(await this.waitIdle(this.options.shutdownGraceMs))) {
      const remaining = [...this.inFlight];
      for (const delivery of remaining) {
        abortDelivery(delivery, new JobAbortedError('shutdown'));
        this.settle(delivery, 'requeue');
      }
      this.logger.warn('shutdown grace period over: aborted and requeued the remaining jobs', {
        requeued: remaining.length,
        requestIds: remaining.map((delivery) => delivery.requestId),
      });
    }
    clearInterval(this.heartbeatTimer);
    const unregistered = this.publisher!.publish(this.workerMessage('unregister')).then(
      () => true,
      (cause: unknown) => {
        this.logger.warn('unregister was not published', { error: cause });
        return false;
      },
    );
    if (!(await settlesWithin(unregistered, UNREGISTER_TIMEOUT_MS))) {
      this.logger.warn(
        `unregister not confirmed within ${UNREGISTER_TIMEOUT_MS} ms; the manager will expire this instance`,
      );
    }
    await this.closeConnection();
    this.uninstallSignals?.();
    this.state = 'stopped';
    this.logger.info('worker stopped', { ...this.statistics.snapshot(this.inFlight.size) });
  }

  private async closeConnection(): Promise<void> {
    if (!this.connection) return;
    this.connection.interruptBackoff();
    await this.connection.manager.close().catch((cause: unknown) => {
      this.logger.warn('error while closing the connection', { error: cause });
    });
  }

  // ---- channel setup (runs on every (re)connect) -------------------------------------------

  private async setupConsumer(channel: Channel): Promise<void> {
    const lease: ChannelLease = { generation: ++this.generation, channel, open: true };
    channel.on('close', () => {
      lease.open = false;
    });
    channel.on('error', (error: Error) => this.onChannelError('consume', error));
    this.lease = lease;
    const { names, declareQueue, concurrency } = this.options;
    try {
      const topology = workerTopology(names, this.type);
      if (declareQueue === 'assert') await assertTopology(channel, topology);
      else await checkTopology(channel, topology);
      // The control queue is exclusive to this connection, so it is declared again after every reconnect.
      await assertTopology(channel, controlTopology(names, this.type, this.instanceId));
      await channel.consume(
        names.controlQueue(this.instanceId),
        (message) => this.onControl(message),
        {
          noAck: true,
        },
      );
      // Per consumer: quorum queues do not support a global prefetch.
      await channel.prefetch(concurrency, false);
      if (this.shouldConsume()) await this.consumeJobs(lease);
    } catch (cause) {
      this.onSetupFailed(cause);
      throw cause;
    }
    this.connection?.resetBackoff();
    this.counters.setups += 1;
    this.setupWaiters = this.setupWaiters.filter((waiter) => {
      if (waiter.count > this.counters.setups) return true;
      waiter.resolve();
      return false;
    });
    if (this.counters.setups > 1)
      this.logger.info('reconnected: topology declared, consuming again', {
        generation: lease.generation,
      });
    this.firstSetup.resolve();
  }

  private onSetupFailed(cause: unknown): void {
    // A reply code means the broker refused (missing queue, different arguments, no permission);
    // anything else is the connection going away mid-setup, which the next connect repeats.
    const refused = typeof (cause as { code?: unknown }).code === 'number';
    if (this.state === 'starting' && refused) {
      this.firstSetup.reject(cause);
      return;
    }
    if (refused) {
      this.logger.error('channel setup refused by the broker; reconnecting with backoff', {
        error: cause,
      });
      this.scheduleReconnect();
    }
  }

  private onChannelError(channel: 'consume' | 'publish', error: Error): void {
    this.counters.channelErrors += 1;
    this.logger.error(`the broker closed the ${channel} channel; reconnecting`, { error });
    // amqp-connection-manager reopens channels only when the connection comes back, so a
    // channel-level error is turned into a reconnect to restore consuming and publishing.
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectScheduled || this.state === 'stopping' || this.state === 'stopped') return;
    this.reconnectScheduled = true;
    setImmediate(() => {
      this.reconnectScheduled = false;
      try {
        this.connection?.manager.reconnect();
      } catch {
        // Closed meanwhile: nothing to restore.
      }
    });
  }

  private watchWrapper(wrapper: ChannelWrapper): void {
    // ChannelWrapper emits 'error' for setup failures; without a listener Node would throw.
    wrapper.on('error', (error: Error) => {
      if (this.state === 'running')
        this.logger.warn(`${wrapper.name ?? 'channel'}: ${error.message}`);
    });
  }

  // ---- consuming ---------------------------------------------------------------------------

  private shouldConsume(): boolean {
    return !this.drainOrdered && (this.state === 'starting' || this.state === 'running');
  }

  private async consumeJobs(lease: ChannelLease): Promise<void> {
    if (lease.jobConsumerTag !== undefined || !lease.open) return;
    const queue = this.options.names.workerQueue(this.type);
    const { consumerTag } = await lease.channel.consume(
      queue,
      (message) => this.onDelivery(lease, message),
      {
        noAck: false,
      },
    );
    lease.jobConsumerTag = consumerTag;
    // A drain or stop that arrived while the consumer was being registered found no tag to cancel.
    if (!this.shouldConsume()) await this.stopConsuming();
  }

  private async stopConsuming(): Promise<void> {
    const lease = this.lease;
    const tag = lease?.jobConsumerTag;
    if (!lease || tag === undefined) return;
    lease.jobConsumerTag = undefined;
    if (!lease.open) return;
    await lease.channel.cancel(tag).catch((cause: unknown) => {
      this.logger.warn('could not cancel the job consumer', { error: cause });
    });
  }

  private onDelivery(lease: ChannelLease, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer: the queue was deleted. Reconnecting declares it again.
      lease.jobConsumerTag = undefined;
      this.logger.warn('the broker cancelled the job consumer (queue deleted?); reconnecting');
      this.scheduleReconnect();
      return;
    }
    const delivery: Delivery = {
      lease,
      message,
      settled: false,
    };
    this.inFlight.add(delivery);
    this.process(delivery).catch((cause: unknown) => {
      this.logger.error('job processing failed unexpectedly; requeued', {
        error: cause,
        requestId: delivery.requestId,
      });
      this.settle(delivery, 'requeue');
    });
  }

  private async process(delivery: Delivery): Promise<void> {
    const admission = admit(this.responder, delivery.message);
    if (admission.kind === 'reject') {
      this.logger.warn('unaddressable job rejected to the dead-letter exchange', {
        problems: admission.messages,
      });
      this.statistics.record('INVALID_CONTENT', 0);
      this.settle(delivery, 'reject');
      return;
    }
    if (admission.kind === 'answer') {
      this.logger.warn('invalid job answered INVALID_CONTENT', { problems: admission.messages });
      this.statistics.record('INVALID_CONTENT', 0);
      await this.answer(delivery, admission.response);
      return;
    }
    const job = admission.job;
    delivery.requestId = job.requestId;
    if (this.debug) {
      this.logger.debug('job received', {
        requestId: job.requestId,
        attempt: job.attempt,
        redelivered: job.redelivered,
      });
    }
    if (this.options.reportRunning)
      void this.publishInformational(statusResponse(this.responder, job, 'RUNNING'));
    let throttle: ProgressThrottle | undefined;
    const environment: JobEnvironment = {
      get signal() {
        return signalOf(delivery);
      },
      logger: this.logger,
      progress: (percent) => {
        throttle ??= new ProgressThrottle(this.options.progressThrottleMs, (value) =>
          this.publishInformational(statusResponse(this.responder, job, 'PROGRESS', value)),
        );
        return throttle.report(percent);
      },
      submit: (contentType, payload, options) => this.submit(job, contentType, payload, options),
    };
    const started = performance.now();
    const result = await executeJob(
      this.options,
      job,
      delivery.message.properties.headers ?? {},
      environment,
    );
    throttle?.finish();
    // Requeued by a shutdown that ran out of grace: another replica answers it.
    if (delivery.settled) return;
    this.statistics.record(result.status, performance.now() - started);
    if (this.debug)
      this.logger.debug('job done', { requestId: job.requestId, status: result.status });
    await this.answer(delivery, responseFor(this.responder, job, result));
  }

  private async submit(
    job: DeliveredJob,
    contentType: string,
    payload: Buffer | object,
    options: Parameters<JobEnvironment['submit']>[2],
  ): Promise<string> {
    const { requestId, message } = submissionFor(
      this.options.names,
      job,
      contentType,
      payload,
      options,
    );
    await this.publisher!.publish(message);
    return requestId;
  }

  /** Publishes the final response and acks only once the broker has confirmed it. */
  private async answer(delivery: Delivery, response: OutgoingMessage): Promise<void> {
    try {
      await this.publisher!.publish(response);
    } catch (cause) {
      this.logger.warn('response not confirmed by the broker; job requeued', {
        error: cause,
        requestId: delivery.requestId,
      });
      this.settle(delivery, 'requeue');
      return;
    }
    this.settle(delivery, 'ack');
  }

  private publishInformational(message: OutgoingMessage): Promise<void> {
    return this.publisher!.publish(message).catch((cause: unknown) => {
      if (this.debug) this.logger.debug('informational response not published', { error: cause });
    });
  }

  private settle(delivery: Delivery, how: Settlement): void {
    if (delivery.settled) return;
    delivery.settled = true;
    this.inFlight.delete(delivery);
    const { lease, message } = delivery;
    if (!lease.open || lease !== this.lease) {
      // The broker requeued this delivery when its channel closed; its tag is meaningless now.
      this.counters.droppedSettlements += 1;
      this.logger.info(
        'settlement dropped: the job arrived on a channel that has since closed, so the broker redelivers it',
        {
          requestId: delivery.requestId,
          settlement: how,
          generation: lease.generation,
        },
      );
    } else {
      try {
        if (how === 'ack') lease.channel.ack(message);
        else lease.channel.nack(message, false, how === 'requeue');
      } catch (cause) {
        this.counters.droppedSettlements += 1;
        this.logger.warn(
          'settlement failed: the channel is closing; the broker redelivers the job',
          { error: cause },
        );
      }
    }
    if (this.inFlight.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private waitIdle(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return settlesWithin(new Promise<void>((resolve) => this.idleWaiters.push(resolve)), ms).then(
      (idle) => idle && this.inFlight.size === 0,
    );
  }

  // ---- control orders ----------------------------------------------------------------------

  private onControl(message: ConsumeMessage | null): void {
    if (message === null) {
      this.scheduleReconnect();
      return;
    }
    const order = parseControlOrder(message);
    if (!order.ok) {
      this.logger.warn('invalid control order ignored', { problems: order.error.messages() });
      return;
    }
    const { requestId, reason } = order.value;
    switch (order.value.order) {
      case 'cancel':
        this.cancel(requestId, reason);
        break;
      case 'drain':
        void this.drain(reason);
        break;
      case 'resume':
        void this.resume();
        break;
    }
  }

  private cancel(requestId: string | undefined, reason: string | undefined): void {
    let found = 0;
    for (const delivery of this.inFlight) {
      if (delivery.requestId !== requestId) continue;
      if (!abortDelivery(delivery, new JobAbortedError('cancel', reason))) continue;
      found += 1;
    }
    // Cancels are broadcast to every instance of the type, so most instances do not hold the job.
    if (found > 0) this.logger.info('job cancelled by order', { requestId, reason });
  }

  private async drain(reason: string | undefined): Promise<void> {
    if (this.drainOrdered) return;
    this.drainOrdered = true;
    await this.stopConsuming();
    this.logger.info('drain ordered: taking no new jobs', { reason, inFlight: this.inFlight.size });
    this.beat(true);
  }

  private async resume(): Promise<void> {
    if (!this.drainOrdered || this.state !== 'running') return;
    this.drainOrdered = false;
    if (this.lease) {
      await this.consumeJobs(this.lease).catch((cause: unknown) => {
        this.logger.warn('could not resume consuming; reconnecting', { error: cause });
        this.scheduleReconnect();
      });
    }
    this.logger.info('resume ordered: taking jobs again');
    this.beat(true);
  }

  // ---- heartbeats --------------------------------------------------------------------------

  private status(): 'ready' | 'draining' {
    return this.drainOrdered || this.state === 'stopping' || this.state === 'stopped'
      ? 'draining'
      : 'ready';
  }

  /** Sends a heartbeat; a periodic one is skipped while the previous is unconfirmed (no pile-up offline). */
  private beat(statusChanged: boolean): void {
    if (!this.publisher || (this.heartbeatPending && !statusChanged)) return;
    this.heartbeatPending = true;
    this.publisher
      .publish(this.workerMessage('heartbeat'))
      .catch((cause: unknown) => this.logger.warn('heartbeat not published', { error: cause }))
      .finally(() => {
        this.heartbeatPending = false;
      });
  }

  private workerMessage(kind: WorkerMessageKind): OutgoingMessage {
    return workerStatusMessage(this.options, kind, {
      status: this.status(),
      startedAt: this.startedAt,
      stats: this.statistics.snapshot(this.inFlight.size),
      cpu: this.statistics.cpuPercent(),
      schema: this.schema,
    });
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
