import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root';
import { runTool } from './run-tool';

/** The ruleset dclint applies to the compose file. */
export const DCLINT_CONFIG = join(REPO_ROOT, '.dclintrc.yaml');

/** One problem dclint reports (its JSON formatter's fields). */
export interface DclintProblem {
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
}

interface DclintReport {
  readonly messages: ReadonlyArray<{ rule: string; type: string; message: string }>;
}

/**
 * Lints a compose file with dclint: its Compose Specification schema validation (always on)
 * and the rules of `.dclintrc.yaml`. Needs no docker.
 */
export async function dclint(file: string): Promise<DclintProblem[]> {
  const cli = join(dirname(require.resolve('dclint/package.json')), 'bin', 'dclint.cjs');
  const run = await runTool(process.execPath, [
    cli,
    file,
    '--config',
    DCLINT_CONFIG,
    '--formatter',
    'json',
    '--color',
    'false',
  ]);
  const start = run.stdout.indexOf('[');
  if (start < 0) throw new Error(`dclint printed no report (exit ${run.code}): ${run.stderr}`);
  const reports = JSON.parse(run.stdout.slice(start)) as DclintReport[];
  return reports.flatMap((report) =>
    report.messages.map((message) => ({
      rule: message.rule,
      severity: message.type,
      message: message.message,
    })),
  );
}

/** True when the docker CLI here has the compose plugin (`docker compose config` needs no engine). */
export function hasDockerCompose(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `docker compose -f <file> config -q`: exit 0 when Compose accepts the file. */
export function dockerComposeConfig(file: string) {
  return runTool('docker', ['compose', '-f', file, 'config', '-q']);
}
