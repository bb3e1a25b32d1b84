import { type Client } from 'pg';
import { type RequestState } from '@org/protocol';
import { nowMs, sleep } from './clock';

const WAITING: RequestState = 'NO_WORKER_AVAILABLE';

/**
 * Resolves once at least `count` requests of namespace `schema` are recorded NO_WORKER_AVAILABLE:
 * publishing only hands them to the broker, and a worker started before the manager recorded them
 * would be judged on the manager's intake, not on its dispatch.
 */
export async function waitUntilWaiting(
  db: Client,
  schema: string,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  let waiting = 0;
  while (nowMs() < deadline) {
    const { rows } = await db
      .query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests WHERE state = $1`, [
        WAITING,
      ])
      // The manager creates the table at boot: until it has, nothing is waiting.
      .catch(() => ({ rows: [{ n: '0' }] }));
    waiting = Number(rows[0]?.n ?? 0);
    if (waiting >= count) return;
    await sleep(250);
  }
  throw new Error(`only ${waiting} of ${count} requests reached ${WAITING} within ${timeoutMs} ms`);
}
