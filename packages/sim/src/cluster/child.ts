import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simOutDir } from './paths';

/**
 * A Node.js child process (a manager replica or an SDK worker) whose output goes to a log file
 * under `.sim-out/`, and whose CPU time is read from /proc.
 */
export class Child {
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
  exitedAt: number | undefined;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : code);
        this.exitedAt = Date.now();
        resolve(code);
      });
    });
  }

  static spawn(
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    stdout: 'log' | 'pipe' = 'log',
  ): Child {
    const logFile = join(simOutDir(), `${name}.log`);
    const fd = openSync(logFile, 'w');
    const child = spawn(process.execPath, [script], {
      env,
      stdio: ['ignore', stdout === 'pipe' ? 'pipe' : fd, fd],
    });
    closeSync(fd);
    return new Child(name, child, logFile);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.process.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** CPU seconds (user + system) used so far, from /proc/<pid>/stat; 0 once exited. */
  cpuSeconds(): number {
    try {
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of the full line, in clock ticks (100 per second).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  }
}
