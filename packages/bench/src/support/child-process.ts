import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { benchOutDir } from './paths';
import { processMemoryMb } from './process-memory';

export interface ChildOptions {
  /** Name of the log file under `.bench-out/` that receives the child's stdout and stderr. */
  readonly logName: string;
  readonly env: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Wait for the child to send `{ kind: 'ready' }` over IPC. @default true */
  readonly waitForReady?: boolean;
  /** @default 60000 */
  readonly readyTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof`. @default [] */
  readonly execArgv?: readonly string[];
}

/** Messages the bench's own child processes send to the parent. */
export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'error'; message: string }
  | { kind: 'stats'; [key: string]: unknown };

/**
 * A Node.js child process (the manager or a worker) whose output goes to a log file, whose early
 * exit fails whatever waits on it, and whose memory is read from /proc.
 */
export class Child {
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private rssSampler: NodeJS.Timeout | undefined;
  /** Highest VmRSS seen by {@link sampleRss} and VmHWM at stop, in MB. */
  peakRssMb = 0;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      process.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  static async start(script: string, options: ChildOptions): Promise<Child> {
    const logFile = join(benchOutDir(), `${options.logName}.log`);
    const fd = openSync(logFile, 'w');
    const child = fork(script, [...(options.args ?? [])], {
      env: options.env,
      stdio: ['ignore', fd, fd, 'ipc'],
      execArgv: [...(options.execArgv ?? []), ...profileFlags(options.logName)],
    });
    closeSync(fd);
    const handle = new Child(options.logName, child, logFile);
    if (options.waitForReady !== false)
      await handle.message('ready', options.readyTimeoutMs ?? 60_000);
    return handle;
  }

  /** Resolves on the first IPC message of `kind`; rejects if the child exits or errors first. */
  message(kind: string, timeoutMs: number): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(
            new Error(`${this.name}: no "${kind}" within ${timeoutMs} ms (log: ${this.logFile})`),
          ),
        timeoutMs,
      );
      const onMessage = (raw: unknown) => {
        const message = raw as ChildMessage;
        if (message.kind === kind) done(undefined, message);
        else if (message.kind === 'error')
          done(new Error(`${this.name}: ${message.message} (log: ${this.logFile})`));
      };
      const onExit = (code: number | null) =>
        done(
          new Error(
            `${this.name} exited with code ${code} before "${kind}" (log: ${this.logFile})`,
          ),
        );
      const done = (error?: Error, message?: ChildMessage) => {
        clearTimeout(timer);
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
        if (error) reject(error);
        else resolve(message!);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
    });
  }

  /** Rejects when the child exits: race it against a wait so a crashed manager fails fast. */
  failOnExit(): Promise<never> {
    return this.exited.then((code) => {
      throw new Error(`${this.name} exited with code ${code} (log: ${this.logFile})`);
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Samples VmRSS every `intervalMs` into {@link peakRssMb} until stopped. */
  sampleRss(intervalMs = 100): void {
    this.rssSampler = setInterval(() => {
      const memory = processMemoryMb(this.pid);
      if (memory) this.peakRssMb = Math.max(this.peakRssMb, memory.rss, memory.peak);
    }, intervalMs);
    this.rssSampler.unref();
  }

  send(message: object): void {
    if (this.alive && this.process.connected) this.process.send(message);
  }

  /** Asks politely (IPC `stop`, then SIGTERM), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.rssSampler) clearInterval(this.rssSampler);
    const memory = processMemoryMb(this.pid);
    if (memory) this.peakRssMb = Math.max(this.peakRssMb, memory.peak);
    if (!this.alive) return;
    this.send({ kind: 'stop' });
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * `BENCH_CPU_PROF=<dir>` profiles every child process (manager, workers) with `--cpu-prof`, one
 * `.cpuprofile` per process named after it, to open in Chrome DevTools or speedscope.
 */
function profileFlags(name: string): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
}
