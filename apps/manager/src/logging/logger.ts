import pino, { type Logger, type LevelWithSilent } from 'pino';
import { currentRequestContext } from './request-context';

/** Levels accepted in `LOG_LEVEL`. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export interface LoggerOptions {
  /** Minimum level written. @default 'info' (`LOG_LEVEL`) */
  readonly level?: LevelWithSilent;
  /** Added to every line, so the lines of several deployments can be told apart. */
  readonly namespace?: string;
  /** Where lines go. @default standard output */
  readonly destination?: pino.DestinationStream;
}

/**
 * Paths whose values never reach a log line: credentials in headers and connection strings.
 * Bodies are never logged at all (payloads are the requesters' data).
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  'password',
  '*.password',
  'databaseUrl',
  'databaseDirectUrl',
  'amqpUrl',
];

/** Reads `LOG_LEVEL`; a value pino does not know is a start-up error rather than a silent default. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const value = env['LOG_LEVEL']?.trim().toLowerCase();
  if (value === undefined || value === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new Error(
      `LOG_LEVEL "${env['LOG_LEVEL']}" is not a log level: use one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return value as LevelWithSilent;
}

/**
 * The manager's JSON logger. Lines written while serving an HTTP call carry its `requestId` and
 * `traceId`, whatever code writes them.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: {
        service: 'wm-manager',
        ...(options.namespace ? { namespace: options.namespace } : {}),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      mixin: () => {
        const context = currentRequestContext();
        if (!context) return {};
        return {
          requestId: context.requestId,
          ...(context.traceId ? { traceId: context.traceId } : {}),
        };
      },
    },
    // Synchronous: the last lines before an exit (a failed start, SIGTERM) must not be lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
