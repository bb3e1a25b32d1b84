import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { type Settings } from '../settings';

/** Query parameters: repeated for arrays, left out when undefined. */
export type Query = Readonly<
  Record<string, string | number | boolean | readonly string[] | undefined>
>;

export interface CallOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer: its status, headers and parsed JSON body (undefined when empty). */
export interface Answer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/**
 * The manager's REST API as `wm` uses it: JSON in and out, the API key as a bearer token, and
 * every failure turned into a {@link CliError} whose message is one line with the reason (the
 * RFC 9457 problem's detail and code, or the network error) and whose code says what kind of
 * failure it was.
 */
export class ApiClient {
  constructor(readonly settings: Settings) {}

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.call<T>('GET', path, { query })).body;
  }

  async post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return (await this.call<T>('POST', path, { body, query })).body;
  }

  async delete<T>(path: string, query?: Query): Promise<T> {
    return (await this.call<T>('DELETE', path, { query })).body;
  }

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const response = await this.fetch(method, path, options, this.settings.timeoutMs);
    const text = await response.text();
    if (!response.ok) throw failure(response.status, text);
    return {
      status: response.status,
      headers: response.headers,
      body: (text === '' ? undefined : parseJson(text, path)) as T,
    };
  }

  /** The raw response of a call that stays open (event streams): no timeout once answered. */
  async open(path: string, query: Query, signal: AbortSignal): Promise<Response> {
    const response = await this.fetch('GET', path, { query }, undefined, signal);
    if (!response.ok) throw failure(response.status, await response.text());
    return response;
  }

  url(path: string, query?: Query): string {
    const url = new URL(`${this.settings.url}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (typeof value === 'object') for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private async fetch(
    method: string,
    path: string,
    options: CallOptions,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.settings.apiKey) headers['Authorization'] = `Bearer ${this.settings.apiKey}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const signals = [signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)];
    try {
      return await fetch(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined)),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new CliError(
          `the manager at ${this.settings.url} did not answer within ${timeoutMs} ms`,
          EXIT.unreachable,
        );
      }
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { message?: string; code?: string } }).cause;
      throw new CliError(
        `cannot reach the manager at ${this.settings.url}: ${cause?.message ?? cause?.code ?? (error as Error).message}`,
        EXIT.unreachable,
      );
    }
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(
      `the manager answered ${path} with something that is not JSON`,
      EXIT.unreachable,
    );
  }
}

interface Problem {
  detail?: string;
  title?: string;
  code?: string;
  errors?: Array<{ path?: string; message?: string }>;
}

/** One line from an error answer: the problem's detail, its listed errors, its code and status. */
function failure(status: number, text: string): CliError {
  let problem: Problem;
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem = { detail: text.trim().split('\n')[0] };
  }
  const errors = (problem.errors ?? [])
    .slice(0, 3)
    .map((error) => `${error.path ?? ''}: ${error.message ?? ''}`);
  const reason = problem.detail || problem.title || 'no reason given';
  const detail =
    errors.length > 0 && !reason.includes(errors[0]!) ? `${reason} (${errors.join('; ')})` : reason;
  const code: ExitCode =
    status === 401 || status === 403
      ? EXIT.unauthorized
      : status >= 500
        ? EXIT.unreachable
        : EXIT.refused;
  return new CliError(`${detail} [HTTP ${status}${problem.code ? ` ${problem.code}` : ''}]`, code);
}
