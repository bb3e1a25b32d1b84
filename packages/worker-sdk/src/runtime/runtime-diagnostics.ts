/** Counters of channel-level and batching events, for tests and debugging (`@org/worker-sdk/testing`). */
export interface WorkerDiagnostics {
  /** Consumer channels set up so far (1 + reconnects). */
  readonly setups: number;
  /** Channel-level errors the broker raised (a stale ack would be one). */
  readonly channelErrors: number;
  /** Acks or nacks dropped because their channel had closed. */
  readonly droppedSettlements: number;
  /** Response batch messages published. */
  readonly responseBatches: number;
  /** Responses that went out inside those batches. */
  readonly batchedResponses: number;
  /** Cancel orders received (addressed to this instance or to its type). */
  readonly cancelOrders: number;
}

/**
 * Where the runtime's parts count what tests want to see, and the testing hooks the runtime
 * installs. Reached through `WORKER_INTERNALS`, never through the public `Worker` interface.
 */
export class RuntimeDiagnostics {
  setups = 0;
  channelErrors = 0;
  droppedSettlements = 0;
  responseBatches = 0;
  batchedResponses = 0;
  cancelOrders = 0;
  private setupWaiters: Array<{ count: number; resolve: () => void }> = [];

  /**
   * Destroys the TCP socket under the connection, as a network failure does (no AMQP close
   * handshake), and returns the request ids in flight. With `reconnect` the worker reconnects as
   * in production; without, it goes silent for good, like a killed process.
   */
  cutConnection: (reconnect: boolean) => string[] = () => {
    throw new Error('the worker is not started');
  };

  snapshot(): WorkerDiagnostics {
    return {
      setups: this.setups,
      channelErrors: this.channelErrors,
      droppedSettlements: this.droppedSettlements,
      responseBatches: this.responseBatches,
      batchedResponses: this.batchedResponses,
      cancelOrders: this.cancelOrders,
    };
  }

  noteSetup(): void {
    this.setups += 1;
    this.setupWaiters = this.setupWaiters.filter((waiter) => {
      if (waiter.count > this.setups) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves once `count` consumer channels have been set up in total. */
  waitForSetups(count: number): Promise<void> {
    if (this.setups >= count) return Promise.resolve();
    return new Promise((resolve) => this.setupWaiters.push({ count, resolve }));
  }
}

/** The key under which a worker created by `createWorker()` keeps its {@link RuntimeDiagnostics}. */
export const WORKER_INTERNALS: unique symbol = Symbol('@org/worker-sdk internals');
