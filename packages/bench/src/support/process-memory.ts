import { readFileSync } from 'node:fs';

/** Resident set size (`VmRSS`) and its high-water mark (`VmHWM`) of a process, in MB, from /proc. */
export function processMemoryMb(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined; // the process is gone or /proc is not there (not Linux)
  }
}
