import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes sure the processes a test helper started outside Node (broker nodes, PgBouncer) die and
 * their folder goes when the test process does, however it ends:
 *
 * - `release()` (the normal path, after the helper stopped its processes itself);
 * - `process.on('exit')` (an uncaught error, `process.exit`): synchronous SIGKILL and removal;
 * - a detached shell that polls this process and, once it is gone (SIGKILL, a killed Jest
 *   worker, Ctrl+C), kills every pid found in `<dir>/pids/*` and removes `<dir>`.
 *
 * A helper writes the pid of each process it starts to `<dir>/pids/<name>` with {@link pidFile}.
 */
export class Reaper {
  private watchdog: ChildProcess | undefined;
  private released = false;
  private readonly onExit = (): void => this.reapNow();

  constructor(readonly dir: string) {
    process.once('exit', this.onExit);
    const script = [
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
      'for f in "$2"/pids/*; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done',
      'rm -rf "$2"',
    ].join('\n');
    this.watchdog = spawn('sh', ['-c', script, 'reaper', String(process.pid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    this.watchdog.unref();
  }

  /** Where the pid of the process called `name` goes. */
  pidFile(name: string): string {
    return join(this.dir, 'pids', name);
  }

  /** Kills (SIGKILL) every recorded process and removes the folder, synchronously. */
  reapNow(): void {
    for (const pid of this.recordedPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The helper cleaned up by itself: remove the folder, stop watching. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
    if (this.watchdog?.pid !== undefined) {
      try {
        process.kill(this.watchdog.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private recordedPids(): number[] {
    const pids = join(this.dir, 'pids');
    let names: string[];
    try {
      names = readdirSync(pids);
    } catch {
      return [];
    }
    return names
      .map((name) => Number(readFileSync(join(pids, name), 'utf8').trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }
}
