import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository's ruleset (`redocly.yaml`): recommended, with the rules it names made errors. */
export const REDOCLY_CONFIG = join(__dirname, '..', '..', '..', '..', 'redocly.yaml');

/** One problem `redocly lint` reports. */
export interface LintProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
  /** JSON pointer of the first location (`#/paths/~1health~1live/get/responses`). */
  readonly pointer: string;
}

interface RedoclyJsonReport {
  readonly problems: ReadonlyArray<{
    readonly ruleId: string;
    readonly severity: 'error' | 'warn';
    readonly message: string;
    readonly location?: ReadonlyArray<{ readonly pointer?: string }>;
  }>;
}

/**
 * Lints an OpenAPI document with the `redocly` binary of `@redocly/cli` (the tool, not a copy
 * of its rules) and the repository's ruleset. Telemetry and the update check are off: the run
 * touches no network.
 */
export async function redoclyLint(document: unknown): Promise<LintProblem[]> {
  const folder = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(folder, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, 'lint', file, '--config', REDOCLY_CONFIG, '--format', 'json'],
        {
          env: {
            ...process.env,
            REDOCLY_TELEMETRY: 'off',
            REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            NO_COLOR: '1',
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        // Exit code 1 means "problems found": the report on stdout says which.
        (error, out, err) => {
          if (out.trim().startsWith('{')) resolve(out);
          else reject(new Error(`redocly lint failed: ${error?.message ?? ''}\n${err}`));
        },
      );
    });
    const report = JSON.parse(stdout) as RedoclyJsonReport;
    return report.problems.map((problem) => ({
      ruleId: problem.ruleId,
      severity: problem.severity,
      message: problem.message,
      pointer: problem.location?.[0]?.pointer ?? '',
    }));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
