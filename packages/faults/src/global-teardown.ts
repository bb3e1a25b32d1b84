import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * Jest global teardown: what the testkit's does (stop the containers its global setup started,
 * if any: the testkit exports no teardown entry point), then docs/reliability.md from this run.
 * The report is written by the built `report-main.js` in a plain Node process, because Prettier
 * loads its plugins with dynamic imports, which Jest's module sandbox refuses.
 */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __testkitContainers?: Stoppable[] };
  const containers = holder.__testkitContainers ?? [];
  holder.__testkitContainers = [];
  await Promise.all(containers.map((container) => container.stop()));
  execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'report-main.js')], {
    stdio: 'inherit',
  });
}
