import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every mainstream Linux). */
const TICKS_PER_SECOND = 100;

/** A component whose CPU time is measured: fixed process ids, or every process with this `comm`. */
export type CpuComponent = { readonly pids: () => readonly number[] } | { readonly comm: string };

/**
 * CPU time per component (manager, worker, RabbitMQ, PostgreSQL, the requester) over a run,
 * from /proc: on a 2-core machine everything competes for the same cores, so the CPU each part
 * spends per request says where the time goes. Processes of other users of the shared servers
 * are counted too; the figure is an upper bound when the machine is busy.
 */
export class CpuMeter {
  /** Per component, each process's CPU ms at {@link start}. */
  private readonly before = new Map<string, Map<number, number>>();

  constructor(private readonly components: Readonly<Record<string, CpuComponent>>) {}

  start(): void {
    for (const [name, component] of Object.entries(this.components))
      this.before.set(name, cpuByPid(component));
  }

  /**
   * CPU milliseconds each component used since {@link start}, summed per process: a process that
   * started meanwhile counts whole, one that ended meanwhile (a PostgreSQL backend closed) is
   * left out rather than subtracted, so a figure is never negative.
   */
  stop(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.components).map(([name, component]) => {
        const before = this.before.get(name) ?? new Map<number, number>();
        let used = 0;
        for (const [pid, ms] of cpuByPid(component))
          used += Math.max(0, ms - (before.get(pid) ?? 0));
        return [name, used];
      }),
    );
  }
}

function cpuByPid(component: CpuComponent): Map<number, number> {
  const pids = 'pids' in component ? component.pids() : pidsOf(component.comm);
  return new Map(pids.map((pid) => [pid, processCpuMs(pid)]));
}

function pidsOf(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // the process ended between readdir and read
    }
  }
  return pids;
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return 0;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The broker and database servers, by process name. */
export const SERVER_COMPONENTS = {
  rabbitmq: { comm: 'beam.smp' },
  postgresql: { comm: 'postgres' },
  redis: { comm: 'redis-server' },
} as const satisfies Record<string, CpuComponent>;
