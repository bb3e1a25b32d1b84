import { CpuMeter, SERVER_COMPONENTS } from './cpu-meter';
import { nowMs } from './clock';

/** A server is settled when it uses less than this share of one core over a sampling window. */
const QUIET_SHARE = 0.15;
const WINDOW_MS = 500;

/**
 * Waits until RabbitMQ, PostgreSQL and Redis are nearly idle, at most `timeoutMs`, so a scenario
 * does not also measure the previous one's leftover work (quorum-queue log writes, autovacuum).
 * Returns how long it waited.
 */
export async function waitForQuietServers(
  timeoutMs: number,
): Promise<{ waitedMs: number; quiet: boolean }> {
  const started = nowMs();
  const meter = new CpuMeter(SERVER_COMPONENTS);
  for (;;) {
    meter.start();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const used = Object.values(meter.stop()).reduce((sum, ms) => sum + ms, 0);
    const waitedMs = nowMs() - started;
    if (used / WINDOW_MS < QUIET_SHARE) return { waitedMs, quiet: true };
    if (waitedMs >= timeoutMs) return { waitedMs, quiet: false };
  }
}
