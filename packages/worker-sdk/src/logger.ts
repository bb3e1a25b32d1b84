/** Severity of a log entry; entries below the logger's level are skipped before any work is done. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Extra structured fields of a log entry. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What the SDK logs through, and what a handler gets as `ctx.log`. A thin adapter makes pino,
 * winston or a test spy fit: four methods taking a message and optional structured fields.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Optional: lets the SDK skip building entries nobody reads (checked once per job). */
  isLevelEnabled?(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

/**
 * The default logger: one JSON object per line on stdout (`time`, `level`, `msg`, then the bound
 * and per-call fields), the format log collectors in containers expect.
 */
export function createJsonLogger(
  bound: LogFields,
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => void process.stdout.write(line),
): Logger {
  const threshold = RANK[level];
  const emit = (entryLevel: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[entryLevel] < threshold) return;
    write(
      `${JSON.stringify({ time: new Date().toISOString(), level: entryLevel, msg, ...bound, ...fields }, errorReplacer)}\n`,
    );
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    isLevelEnabled: (entryLevel) => RANK[entryLevel] >= threshold,
  };
}

/** A logger that adds `fields` to every entry of `parent` (how `ctx.log` carries the request id). */
export function childLogger(parent: Logger, fields: LogFields): Logger {
  return {
    debug: (msg, extra) => parent.debug(msg, { ...fields, ...extra }),
    info: (msg, extra) => parent.info(msg, { ...fields, ...extra }),
    warn: (msg, extra) => parent.warn(msg, { ...fields, ...extra }),
    error: (msg, extra) => parent.error(msg, { ...fields, ...extra }),
    isLevelEnabled: (level) => levelEnabled(parent, level),
  };
}

export function levelEnabled(logger: Logger, level: LogLevel): boolean {
  return logger.isLevelEnabled ? logger.isLevelEnabled(level) : true;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};

// Errors have no enumerable fields; log what a person needs to act on.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
