import { execFileSync, spawn } from 'node:child_process';

/** The path of `promtool` (Debian package `prometheus`), or undefined when it is not installed. */
export function findPromtool(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** What `promtool check metrics` said of an exposition. */
export interface PromtoolVerdict {
  /** Exit code: 0 when the exposition passes. */
  readonly code: number | null;
  /** Each problem line it printed (`foo_total non-counter metrics should not have "_total" suffix`). */
  readonly problems: string[];
}

/** Runs `promtool check metrics` (Prometheus's own linter) on an exposition read from stdin. */
export function promtoolCheckMetrics(
  promtool: string,
  exposition: string,
): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        problems: Buffer.concat(output)
          .toString('utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
      }),
    );
    child.stdin.end(exposition);
  });
}

/**
 * `it` when promtool is installed; otherwise a skipped test that says so. In CI (`CI` set) a
 * missing promtool fails instead, since `.ci/run` installs it.
 */
export function withPromtool(
  name: string,
  test: (promtool: string) => Promise<void>,
  timeoutMs?: number,
): void {
  const promtool = findPromtool();
  if (promtool !== undefined) {
    it(name, () => test(promtool), timeoutMs);
  } else if (process.env['CI']) {
    it(name, () => {
      throw new Error('promtool is not installed (Debian package prometheus); .ci/run installs it');
    });
  } else {
    it.skip(`${name} (promtool not installed: apt-get install prometheus)`, () => undefined);
  }
}
