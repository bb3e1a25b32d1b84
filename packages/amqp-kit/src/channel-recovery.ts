/** The part of amqp-connection-manager's connection a {@link ChannelRecovery} uses. */
export interface Reconnectable {
  reconnect(): void;
}

/** Settings of a {@link ChannelRecovery}. */
export interface ChannelRecoveryOptions {
  /**
   * How long to wait before reconnecting: a quorum queue's new leader or a topology declared by
   * another channel's setup may need a moment, and an immediate retry would spin through
   * connections meanwhile. @default 0 (the next turn of the event loop)
   */
  readonly delayMs?: number;
  /** False while stopping or stopped: nothing is restored then. @default always true */
  readonly active?: () => boolean;
}

/**
 * Turns channel-level trouble into a reconnect of the whole connection, once per burst.
 * amqp-connection-manager reopens channels only when the connection comes back, so a channel the
 * broker closed (an error, a refused setup, a consumer cancelled because its queue was deleted)
 * would otherwise stay closed for good. The SDK's workers and the manager's consumers both use it.
 */
export class ChannelRecovery {
  private pending: { cancel(): void } | undefined;

  constructor(
    private readonly connection: Reconnectable,
    private readonly options: ChannelRecoveryOptions = {},
  ) {}

  /**
   * Reconnects after the delay unless a reconnect is already pending or recovery is inactive.
   * Returns true when this call scheduled it (the caller logs why), false when it did nothing.
   */
  schedule(): boolean {
    if (this.pending !== undefined || !this.isActive()) return false;
    const run = () => {
      this.pending = undefined;
      if (!this.isActive()) return;
      try {
        this.connection.reconnect();
      } catch {
        // Closed meanwhile: nothing to restore.
      }
    };
    const delayMs = this.options.delayMs ?? 0;
    if (delayMs > 0) {
      const timer = setTimeout(run, delayMs);
      this.pending = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(run);
      this.pending = { cancel: () => clearImmediate(immediate) };
    }
    return true;
  }

  /** Drops a pending reconnect (the owner is stopping). */
  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }

  private isActive(): boolean {
    return this.options.active?.() ?? true;
  }
}
