import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import { type Logger } from '../logger';
import { Backoff, InterruptibleSleep } from './backoff';

export interface ManagedConnection {
  readonly manager: AmqpConnectionManager;
  /** Call once a connection is fully set up (topology, consumers), so the next outage starts from a short delay. */
  resetBackoff(): void;
  /** Ends a pending reconnect delay (on stop). */
  interruptBackoff(): void;
}

/**
 * An amqp-connection-manager connection that reconnects with exponential backoff and jitter.
 * amqp-connection-manager itself waits a fixed time between attempts; it asks `findServers` for
 * the URL before each attempt, so that is where the growing, jittered delay is spent.
 */
export function createConnection(url: string, logger: Logger, name: string): ManagedConnection {
  const backoff = new Backoff();
  const sleeper = new InterruptibleSleep();
  const manager = connect(null, {
    findServers: async () => {
      const delay = backoff.next();
      if (delay > 0) {
        logger.info('reconnecting to the broker', { delayMs: delay });
        await sleeper.sleep(delay);
      }
      return url;
    },
    // The real delay is the backoff above; this only spaces the library's own retry loop.
    reconnectTimeInSeconds: 0.05,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  manager.on('connectFailed', ({ err }: { err: Error }) =>
    logger.warn('cannot connect to the broker', { error: err.message, url: redact(url) }),
  );
  manager.on('disconnect', ({ err }: { err?: Error }) =>
    logger.warn('disconnected from the broker', { error: err?.message }),
  );
  manager.on('blocked', ({ reason }: { reason: string }) =>
    logger.warn('the broker blocked publishing (resource alarm); publishes wait', { reason }),
  );
  manager.on('unblocked', () => logger.info('the broker unblocked publishing'));
  return {
    manager,
    resetBackoff: () => backoff.reset(),
    interruptBackoff: () => sleeper.interrupt(),
  };
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
