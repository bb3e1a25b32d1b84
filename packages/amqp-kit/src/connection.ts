import { Writable } from 'node:stream';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import { parseAmqpUrls } from './amqp-urls';
import { Backoff, InterruptibleSleep } from './backoff';
import { type ConnectionLogger } from './connection-logger';
import { brokerRefusal } from './broker-refusal';
import { coalesceWrites } from './coalesced-writes';
import { redactSecrets, redactUrl, redactUrls } from './redact';

export interface ConnectionOptions {
  /**
   * Broker URLs: one, a list, or a comma-separated string (`AMQP_URL`). They are tried in turn,
   * so the nodes of a cluster share the load of reconnects and a node that is down is skipped.
   */
  readonly urls: string | readonly string[];
  /** Connection name shown by the broker (management UI, `rabbitmqctl list_connections`). */
  readonly name: string;
  /** AMQP heartbeat: a dead peer is noticed after about twice this. @default 5 */
  readonly heartbeatSeconds?: number;
  /**
   * Delays between rounds of connection attempts (every URL once per round): the first round
   * at once, then `initialMs` doubling up to `maxMs`, each drawn from its upper half so a fleet
   * cut off together does not reconnect in lockstep. @default { initialMs: 250, maxMs: 30000 }
   */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly logger: ConnectionLogger;
}

export interface ManagedConnection {
  readonly manager: AmqpConnectionManager;
  /** The broker URLs, in the order they are tried. */
  readonly urls: readonly string[];
  /** The last failed connection attempt's error (undefined once connected). */
  readonly lastFailure: Error | undefined;
  /** Call once a connection is fully set up (topology, consumers), so the next outage starts from a short delay. */
  resetBackoff(): void;
  /** Ends a pending reconnect delay (on stop). */
  interruptBackoff(): void;
}

/**
 * An amqp-connection-manager connection that reconnects over a list of URLs with exponential
 * backoff and jitter. amqp-connection-manager tries the URLs `findServers` returns one after the
 * other and asks again when it has tried them all, so that is where the growing delay is spent.
 * Every URL it logs is redacted.
 */
export function createConnection(options: ConnectionOptions): ManagedConnection {
  const urls = parseAmqpUrls(options.urls);
  const { logger } = options;
  const backoff = new Backoff(options.backoff?.initialMs, options.backoff?.maxMs);
  const sleeper = new InterruptibleSleep();
  let lastFailure: Error | undefined;
  const manager = connect(null, {
    findServers: async () => {
      const delay = backoff.next();
      if (delay > 0) {
        logger.info('reconnecting to the broker', { delayMs: delay });
        await sleeper.sleep(delay);
      }
      return urls;
    },
    heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 5,
    // The real delay is the backoff above; this only spaces the library's own retry loop.
    reconnectTimeInSeconds: 0.05,
    connectionOptions: { clientProperties: { connection_name: options.name } },
  });
  manager.on('connect', ({ connection }: { connection: unknown }) => {
    lastFailure = undefined;
    const socket = socketOf(connection);
    if (socket) coalesceWrites(socket);
  });
  manager.on('connectFailed', ({ err, url }: { err: Error; url?: unknown }) => {
    lastFailure = err;
    logger.warn('cannot connect to the broker', {
      error: redactSecrets(err.message),
      url: typeof url === 'string' ? redactUrl(url) : undefined,
    });
  });
  manager.on('disconnect', ({ err }: { err?: Error }) =>
    logger.warn('disconnected from the broker', {
      error: err ? redactSecrets(err.message) : undefined,
    }),
  );
  manager.on('blocked', ({ reason }: { reason: string }) =>
    logger.warn('the broker blocked publishing (resource alarm); publishes wait', { reason }),
  );
  manager.on('unblocked', () => logger.info('the broker unblocked publishing'));
  return {
    manager,
    urls,
    get lastFailure() {
      return lastFailure;
    },
    resetBackoff: () => backoff.reset(),
    interruptBackoff: () => sleeper.interrupt(),
  };
}

/**
 * The socket under an amqplib connection (`ChannelModel.connection.stream`, not part of its
 * typed API: checked rather than assumed, so a changed amqplib only loses the coalescing).
 */
function socketOf(connection: unknown): Writable | undefined {
  const stream = (connection as { connection?: { stream?: unknown } } | undefined)?.connection
    ?.stream;
  return stream instanceof Writable && typeof stream.cork === 'function' ? stream : undefined;
}

/** Why {@link connected} gave up. */
export class ConnectionFailedError extends Error {
  override readonly name = 'ConnectionFailedError';

  constructor(
    message: string,
    /** `refused`: the broker said no (see `brokerRefusal(cause)`); `timeout`: no broker answered in time. */
    readonly kind: 'refused' | 'timeout',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Resolves once `connection` is connected. Rejects as soon as an attempt is refused by a broker
 * (credentials, virtual host: retrying cannot help), and after `timeoutMs` without a connection
 * (default: never, the attempts go on). Network failures in between are retried, as always.
 */
export function connected(connection: ManagedConnection, timeoutMs?: number): Promise<void> {
  const { manager } = connection;
  if (manager.isConnected()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (error?: Error) => {
      clearTimeout(timer);
      manager.off('connect', onConnect);
      manager.off('connectFailed', onFailed);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = () => done();
    const onFailed = ({ err }: { err: Error }) => {
      const refusal = brokerRefusal(err);
      if (refusal) {
        done(
          new ConnectionFailedError(
            `the broker refused the connection (${refusal.kind}): ${redactSecrets(err.message)}`,
            'refused',
            { cause: err },
          ),
        );
      }
    };
    manager.on('connect', onConnect);
    manager.on('connectFailed', onFailed);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const last = connection.lastFailure;
        done(
          new ConnectionFailedError(
            `no broker answered at ${redactUrls(connection.urls)} within ${timeoutMs} ms${last ? ` (last error: ${redactSecrets(last.message)})` : ''}`,
            'timeout',
            { cause: last },
          ),
        );
      }, timeoutMs);
    }
    // amqp-connection-manager connects on its first channel; make sure attempts are running.
    manager.connect().catch(() => undefined);
  });
}
