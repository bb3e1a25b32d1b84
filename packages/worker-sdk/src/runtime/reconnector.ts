import { type ManagedConnection } from '@org/amqp-kit';
import { type Logger } from '../logger';
import { type RuntimeDiagnostics } from './runtime-diagnostics';

/**
 * Turns channel-level trouble into a reconnect. amqp-connection-manager reopens channels only
 * when the connection comes back, so a channel the broker closed (an error, a refused setup, a
 * consumer cancelled because its queue was deleted) is restored by reconnecting, once per burst.
 */
export class Reconnector {
  private scheduled = false;

  constructor(
    private readonly connection: ManagedConnection,
    private readonly logger: Logger,
    private readonly diagnostics: RuntimeDiagnostics,
    /** False while stopping or stopped: then nothing is restored. */
    private readonly active: () => boolean,
  ) {}

  /** The broker closed the `channel` channel with `error`. */
  channelError(channel: string, error: Error): void {
    this.diagnostics.channelErrors += 1;
    this.logger.error(`the broker closed the ${channel} channel; reconnecting`, { error });
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || !this.active()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.connection.manager.reconnect();
      } catch {
        // Closed meanwhile: nothing to restore.
      }
    });
  }
}
