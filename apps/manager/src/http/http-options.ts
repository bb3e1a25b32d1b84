import { type LevelWithSilent } from 'pino';
import { logLevelFromEnv } from '../logging/logger';
import { type ApiKey, parseApiKeys } from '../security/api-keys';
import { parseCorsOrigins } from './cors';

/** Settings of the operator interface, read once from the environment at start. */
export interface HttpOptions {
  /** `WM_API_KEYS`; empty turns authentication off. @default [] */
  readonly apiKeys: readonly ApiKey[];
  /** `WM_MAX_BODY_BYTES`: largest accepted HTTP body. @default 4194304 (4 MiB: one maximum payload base64-encoded, with room) */
  readonly maxBodyBytes: number;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LevelWithSilent;
  /** `WM_SHUTDOWN_TIMEOUT_MS`: longest a graceful stop may take before the process exits anyway. @default 25000 */
  readonly shutdownTimeoutMs: number;
  /**
   * `WM_CORS_ORIGINS`: origins allowed to call the API from a browser (comma-separated
   * `scheme://host[:port]`, or `*`). @default [] (CORS off: no CORS headers, OPTIONS answered 405)
   */
  readonly corsOrigins: readonly string[];
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** Reads and checks the variables; a bad one stops the start with what to fix. */
export function httpOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpOptions {
  return {
    apiKeys: parseApiKeys(env['WM_API_KEYS']),
    maxBodyBytes: positiveInteger(env, 'WM_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
    logLevel: logLevelFromEnv(env),
    shutdownTimeoutMs: positiveInteger(env, 'WM_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS),
    corsOrigins: parseCorsOrigins(env['WM_CORS_ORIGINS']),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${name} "${raw}" must be a positive integer`);
  return value;
}
