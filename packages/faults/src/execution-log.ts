import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Handler executions per request id, read from the workers' execution logs in `dir`. */
export class ExecutionLog {
  constructor(readonly dir: string) {}

  /** A fresh log file path for one worker process. */
  fileFor(label: string): string {
    return join(this.dir, `exec-${label}.log`);
  }

  /** `start` lines (handler entered) per request id, optionally only those of one process id. */
  starts(pid?: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.lines()) {
      const [what, id, , linePid] = line.split(' ');
      if (what !== 'start' || id === undefined) continue;
      if (pid !== undefined && Number(linePid) !== pid) continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** The attempt of each handler start of one request, in log order (every process). */
  attemptsOf(requestId: string): number[] {
    return this.lines()
      .map((line) => line.split(' '))
      .filter(([what, id]) => what === 'start' && id === requestId)
      .map(([, , attempt]) => Number(attempt));
  }

  /** Request ids whose handler started in process `pid` and never returned there. */
  unfinished(pid: number): string[] {
    const open = new Map<string, number>();
    for (const line of this.lines()) {
      const [what, id, , linePid] = line.split(' ');
      if (id === undefined || Number(linePid) !== pid) continue;
      open.set(id, (open.get(id) ?? 0) + (what === 'start' ? 1 : -1));
    }
    return [...open].filter(([, n]) => n > 0).map(([id]) => id);
  }

  private lines(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => name.startsWith('exec-'))
      .flatMap((name) => readFileSync(join(this.dir, name), 'utf8').split('\n'))
      .filter((line) => line !== '');
  }
}
