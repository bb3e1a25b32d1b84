import { type ManagerReplica, type ManagerReplicas } from './manager-replicas';

/** One kill of a replica and its replacement. */
export interface RestartRecord {
  readonly killed: string;
  readonly replacement: string;
  /** Epoch ms of the SIGKILL. */
  readonly at: number;
  /** From the SIGKILL to the replacement answering `/health/ready`. */
  readonly readyAfterMs: number;
}

/**
 * SIGKILLs the longest-running replica of `live` every `everyMs` until `endAt` (epoch ms) and
 * starts a replacement at once, as a crash-looping node and its restarting orchestrator would.
 * `live` is kept current (killed ones out, replacements in). When a replacement takes longer to
 * boot than the period, the next kill waits for it, so the deployment never drops below
 * `live.length - 1` replicas.
 */
export async function killAndRestart(
  replicas: ManagerReplicas,
  live: ManagerReplica[],
  everyMs: number,
  endAt: number,
  log: (line: string) => void,
): Promise<RestartRecord[]> {
  const records: RestartRecord[] = [];
  let next = Date.now() + everyMs;
  while (next < endAt) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    const victim = live.shift();
    if (!victim) break;
    const at = Date.now();
    victim.child.signal('SIGKILL');
    await victim.child.exited;
    const [replacement] = await replicas.start(1);
    live.push(replacement!);
    const readyAfterMs = Date.now() - at;
    records.push({ killed: victim.id, replacement: replacement!.id, at, readyAfterMs });
    log(
      `SIGKILL ${victim.id}; ${replacement!.id} ready after ${(readyAfterMs / 1000).toFixed(1)} s`,
    );
    next = Math.max(next + everyMs, Date.now());
  }
  return records;
}
