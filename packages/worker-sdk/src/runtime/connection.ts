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
 * An amqp-connection-manager connection to the first of `urls` (the nodes of a cluster) that
 * answers. When the connection is lost or refused, the next URL is tried at once, in turn; after
 * every URL of the list has failed, the next round waits an exponential backoff with jitter.
 * amqp-connection-manager walks the list itself and asks `findServers` for it again before each
 * round, so that is where the growing, jittered delay is spent.
 */
export function createConnection(
  urls: readonly string[],
  logger: Logger,
  name: string,
): ManagedConnection {
  if (urls.length === 0) throw new TypeError('createConnection needs at least one broker URL');
  const backoff = new Backoff();
  const sleeper = new InterruptibleSleep();
  const manager = connect(null, {
    findServers: async () => {
      const delay = backoff.next();
      if (delay > 0) {
        logger.info('reconnecting to the broker', { delayMs: delay, urls: redact(urls) });
        await sleeper.sleep(delay);
      }
      return [...urls];
    },
    // The real delay is the backoff above; this only spaces the library's own retry loop.
    reconnectTimeInSeconds: 0.05,
    connectionOptions: { clientProperties: { connection_name: name } },
  });
  manager.on('connect', ({ url }: { url: unknown }) =>
    logger.info('connected to the broker', { url: redactUnknown(url) }),
  );
  manager.on('connectFailed', ({ err, url }: { err: Error; url?: unknown }) =>
    logger.warn('cannot connect to the broker', { error: err.message, url: redactUnknown(url) }),
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

/** The URL, or the comma-separated list of URLs, without passwords, for logs and errors. */
export function redact(urls: string | readonly string[]): string {
  const list = typeof urls === 'string' ? urls.split(',') : urls;
  return list.map((url) => redactOne(url.trim())).join(',');
}

function redactOne(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL; still hide anything between "user:" and "@".
    return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
  }
}

function redactUnknown(url: unknown): string | undefined {
  return typeof url === 'string' ? redactOne(url) : undefined;
}
