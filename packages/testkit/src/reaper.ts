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
 * A pid is only killed while its command line or environment still names `<name>` or `<dir>`
 * (a broker node's environment holds its node name and folders): a process that ended and whose
 * pid went to someone else (the main broker, say) is never touched.
 */
export class Reaper {
  private watchdog: ChildProcess | undefined;
  private released = false;
  private readonly onExit = (): void => this.reapNow();

  constructor(readonly dir: string) {
    process.once('exit', this.onExit);
    const script = [
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
      'for f in "$2"/pids/*; do',
      '  [ -f "$f" ] || continue',
      '  pid=$(cat "$f"); name=$(basename "$f")',
      '  cat "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null | tr "\\0" " " | grep -qF -e "$name" -e "$2" && kill -9 "$pid"',
      'done',
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
    for (const { name, pid } of this.recordedPids()) {
      if (!this.ours(name, pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  // The process is still the one recorded: its command line or environment names it or this
  // folder.
  private ours(name: string, pid: number): boolean {
    try {
      const identity = ['cmdline', 'environ']
        .map((file) => readFileSync(`/proc/${pid}/${file}`, 'utf8'))
        .join('\0');
      return identity.includes(name) || identity.includes(this.dir);
    } catch {
      return false;
    }
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

  private recordedPids(): Array<{ name: string; pid: number }> {
    const pids = join(this.dir, 'pids');
    let names: string[];
    try {
      names = readdirSync(pids);
    } catch {
      return [];
    }
    return names
      .map((name) => ({ name, pid: Number(readFileSync(join(pids, name), 'utf8').trim()) }))
      .filter(({ pid }) => Number.isInteger(pid) && pid > 0);
  }
}
