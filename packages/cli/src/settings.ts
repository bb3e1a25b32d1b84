import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes';

/** Where the manager is and how to authenticate: resolved once per run. */
export interface Settings {
  /** Base URL of the manager's REST API. @default http://127.0.0.1:3000 */
  readonly url: string;
  /** Sent as `Authorization: Bearer <key>`. @default none (a manager without WM_API_KEYS) */
  readonly apiKey: string | undefined;
  /** How long one HTTP call may take before `wm` gives up (ms). @default 30000 */
  readonly timeoutMs: number;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';
export const DEFAULT_TIMEOUT_MS = 30_000;

/** What the command line gave; each wins over the environment, which wins over the file. */
export interface SettingFlags {
  readonly url?: string;
  readonly apiKey?: string;
  readonly config?: string;
  readonly timeout?: string;
}

/**
 * The configuration file: `--config`, else `WM_CLI_CONFIG`, else
 * `$XDG_CONFIG_HOME/wm/config.json` (`~/.config/wm/config.json`). JSON with `url`, `apiKey` and
 * `timeoutMs`, all optional. A missing default file is fine; a missing named one is an error.
 */
export function configFilePath(flags: SettingFlags, env: NodeJS.ProcessEnv): string {
  if (flags.config) return flags.config;
  if (env['WM_CLI_CONFIG']) return env['WM_CLI_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || path.join(homedir(), '.config');
  return path.join(base, 'wm', 'config.json');
}

export function resolveSettings(flags: SettingFlags, env: NodeJS.ProcessEnv): Settings {
  const named = Boolean(flags.config || env['WM_CLI_CONFIG']);
  const file = readConfigFile(configFilePath(flags, env), named);
  const url = flags.url ?? env['WM_URL'] ?? file.url ?? DEFAULT_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new CliError(`the manager URL "${url}" is not an http(s) URL`, EXIT.usage);
  }
  const timeout = flags.timeout ?? env['WM_TIMEOUT_MS'] ?? file.timeoutMs;
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new CliError(
      `the timeout "${String(timeout)}" is not a positive integer (ms)`,
      EXIT.usage,
    );
  }
  return {
    url: url.replace(/\/+$/, ''),
    apiKey: flags.apiKey ?? env['WM_API_KEY'] ?? file.apiKey,
    timeoutMs,
  };
}

interface ConfigFile {
  url?: string;
  apiKey?: string;
  timeoutMs?: number;
}

function readConfigFile(file: string, required: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(
      `cannot read the config file ${file}: ${(error as Error).message}`,
      EXIT.usage,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `the config file ${file} is not JSON: ${(error as Error).message}`,
      EXIT.usage,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`the config file ${file} must hold a JSON object`, EXIT.usage);
  }
  const record = value as Record<string, unknown>;
  const text_ = (key: string): string | undefined => {
    const field = record[key];
    if (field === undefined) return undefined;
    if (typeof field !== 'string')
      throw new CliError(`${file}: "${key}" must be a string`, EXIT.usage);
    return field;
  };
  const timeoutMs = record['timeoutMs'];
  if (timeoutMs !== undefined && typeof timeoutMs !== 'number') {
    throw new CliError(`${file}: "timeoutMs" must be a number`, EXIT.usage);
  }
  return { url: text_('url'), apiKey: text_('apiKey'), timeoutMs };
}
