import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { startManager, type RunningManager, type ManagerEnvironment } from '@org/manager';
import { validateConfig } from '@org/protocol';
import { waitFor, type TestNamespace } from '@org/testkit';
import { createWorker, type Logger, type Worker, type WorkerOptions } from '@org/worker-sdk';

/** The built binary: the tests drive what users run (`pnpm build` first). */
export const WM_BIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

/** What one run of `wm` did. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** Added to a clean environment (no WM_* of the developer's shell). @default none */
  readonly env?: Record<string, string>;
  /** Written to the child's stdin. @default nothing (stdin closed) */
  readonly input?: string | Buffer;
}

/**
 * Runs the built `wm` as a child process (asynchronously: the manager it talks to runs in this
 * process and must keep serving meanwhile).
 */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NO_COLOR: '1',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [WM_BIN, ...args],
      { env: { ...env, ...options.env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        if (code === null)
          reject(new Error(`wm ${args.join(' ')} did not exit: ${error?.message}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A `wm` still running (watch): its result once it exits, and a wait on what it prints. */
export interface RunningCli {
  readonly result: Promise<CliRun>;
  /** Resolves once stderr contains `text` (rejects if the process exits first). */
  stderrContains(text: string): Promise<void>;
  kill(): void;
}

export function startCli(args: readonly string[], options: CliRunOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NO_COLOR: '1',
  };
  const child = spawn(process.execPath, [WM_BIN, ...args], { env: { ...env, ...options.env } });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  });
  const result = new Promise<CliRun>((resolve) =>
    child.once('close', (code) => {
      for (const watcher of [...watchers]) watcher();
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
  child.stdin.end(options.input ?? '');
  return {
    result,
    kill: () => child.kill('SIGINT'),
    stderrContains: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (stderr.includes(text)) resolve();
          else if (child.exitCode !== null)
            reject(new Error(`wm exited before printing "${text}": ${stderr}`));
          else return;
          watchers.splice(watchers.indexOf(check), 1);
        };
        watchers.push(check);
        check();
      }),
  };
}

/** A manager with HTTP on a free port in the test's namespace, with short timers; closed at cleanup. */
export async function startCliManager(
  ns: TestNamespace,
  config: unknown,
  overrides: Partial<ManagerEnvironment> = {},
  env: Record<string, string> = {},
): Promise<{ manager: RunningManager; url: string }> {
  const validated = validateConfig(config);
  if (!validated.ok) throw validated.error;
  const manager = await startManager(
    {
      amqpUrl: ns.amqpUrl,
      databaseUrl: ns.databaseUrl,
      namespace: ns.name,
      config: validated.value,
      heartbeatExpiryMs: 1500,
      sweepIntervalMs: 100,
      configPollMs: 100,
      dispatchLeaseMs: 2000,
      batchWindowMs: 2,
      http: true,
      port: 0,
      ...overrides,
    },
    {
      env: { ...process.env, LOG_LEVEL: process.env['WM_TEST_LOGS'] ? 'info' : 'warn', ...env },
      logger: process.env['WM_TEST_LOGS'] ? ['error', 'warn', 'log'] : ['error'],
    },
  );
  ns.defer(() => manager.close());
  return { manager, url: `http://127.0.0.1:${manager.port!}` };
}

const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
  isLevelEnabled: (level) => level === 'warn' || level === 'error',
};

/** An SDK worker in the test's namespace, stopped at cleanup; resolves once the manager sees it. */
export async function startCliWorker<T = unknown>(
  ns: TestNamespace,
  url: string,
  options: Pick<WorkerOptions<T>, 'type' | 'handler'> & Partial<WorkerOptions<T>>,
): Promise<Worker> {
  ns.workerTypes.add(options.type);
  const worker = createWorker<T>({
    concurrency: 2,
    amqpUrl: ns.amqpUrl,
    namespace: ns.name,
    heartbeatIntervalMs: 200,
    shutdownGraceMs: 1000,
    handleSignals: false,
    runningAfterMs: 0,
    logger: quietLogger,
    ...options,
  });
  await worker.start();
  ns.defer(() => worker.stop());
  await waitFor(
    async () => {
      const response = await fetch(`${url}/api/v1/workers?instances=none`);
      const types = (await response.json()) as Array<{ type: string; available: boolean }>;
      return types.some((type) => type.type === options.type && type.available);
    },
    { what: `${options.type} available` },
  );
  return worker;
}
