import { ChannelRecovery, type ManagedConnection } from '@org/amqp-kit';
import { type Logger } from '../logger';
import { type RuntimeDiagnostics } from './runtime-diagnostics';

/**
 * Turns channel-level trouble into a reconnect, once per burst (`@org/amqp-kit`'s
 * ChannelRecovery, shared with the manager's consumers), counting and logging the channel errors.
 */
export class Reconnector {
  private readonly recovery: ChannelRecovery;

  constructor(
    connection: ManagedConnection,
    private readonly logger: Logger,
    private readonly diagnostics: RuntimeDiagnostics,
    /** False while stopping or stopped: then nothing is restored. */
    active: () => boolean,
  ) {
    this.recovery = new ChannelRecovery(connection.manager, { active });
  }

  /** The broker closed the `channel` channel with `error`. */
  channelError(channel: string, error: Error): void {
    this.diagnostics.channelErrors += 1;
    this.logger.error(`the broker closed the ${channel} channel; reconnecting`, { error });
    this.schedule();
  }

  schedule(): void {
    this.recovery.schedule();
  }
}
