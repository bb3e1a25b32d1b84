import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestNamespace } from '@org/testkit';
import { markdownSection, shellCommands } from '../src/readme-quick-start';
import { REPO_ROOT } from '../src/repo-root';
import { runTool } from './support/run-tool';

/** Generous: a cold pnpm store or a busy machine; on a warm one the run takes about a minute. */
const QUICK_START_TIMEOUT_MS = 300_000;

/** Runs one README command with bash, as a reader would paste it; resolves with its output. */
function runCommand(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: Buffer.concat(output).toString() }));
  });
}

describe("the README's quick start", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = markdownSection(readme, 'Quick start');

  it('is two commands: one installs and runs the demo, one runs the tests as CI does', () => {
    expect(section).toBeDefined();
    const commands = shellCommands(section!);
    expect(commands).toHaveLength(2);
    const packageManager = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        packageManager: string;
      }
    ).packageManager;
    expect(commands[0]).toBe(
      `npm install --global ${packageManager} && pnpm install && pnpm start`,
    );
    expect(commands[1]).toBe('pnpm test');
    // The second line is not run here (it is this suite); CI runs it as written.
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toMatch(/^pnpm test$/m);
  });

  it('reads commands the way a shell does', () => {
    expect(
      shellCommands(
        [
          'Text with `inline code`.',
          '```sh',
          '$ echo "a # not a comment"   # a comment',
          '',
          'pnpm build \\',
          '  --filter x',
          '```',
          '```ts',
          'const notShell = 1;',
          '```',
        ].join('\n'),
      ),
    ).toEqual(['echo "a # not a comment"', 'pnpm build --filter x']);
  });

  describe('on a fresh clone', () => {
    const ns = useTestNamespace('qs');
    let folder: string;

    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), 'quick-start-'));
    });
    afterEach(() => rm(folder, { recursive: true, force: true }));

    it(
      'runs the install-and-demo command of the section on a fresh clone, the demo in exit mode',
      async () => {
        // The demo's worker queues, so cleanup removes them with the namespace.
        ns().workerTypes.add('file-mover').add('metadata-extractor');
        const head = (
          await runTool('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })
        ).stdout.trim();
        const clone = join(folder, 'repo');
        for (const args of [
          ['clone', '--quiet', '--no-checkout', REPO_ROOT, clone],
          ['-C', clone, 'checkout', '--quiet', head],
        ]) {
          const git = await runTool('git', args);
          if (git.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${git.stderr}`);
        }
        // `npm install --global` goes to a prefix of this test, first on PATH: the machine's own
        // global packages stay as they are. Only the npm registry is reached.
        const npmPrefix = join(folder, 'npm-global');
        const env: NodeJS.ProcessEnv = {
          ...ns().env(),
          npm_config_prefix: npmPrefix,
          PATH: `${join(npmPrefix, 'bin')}:${process.env['PATH'] ?? ''}`,
          // The demo in exit mode, on a port the system picks, in this test's namespace.
          DEMO_EXIT: '1',
          PORT: '0',
          FORCE_COLOR: '0',
        };
        // Every command but the test suite itself (which is what runs this test).
        const commands = shellCommands(section!).filter((command) => command !== 'pnpm test');
        let last = '';
        for (const command of commands) {
          const run = await runCommand(command, clone, env);
          if (run.code !== 0)
            throw new Error(`"${command}" exited ${run.code}:\n${run.output.slice(-4000)}`);
          last = run.output;
        }
        expect(commands).toHaveLength(1);
        expect(last).toMatch(/Summary: all \d+ requests succeeded/);
      },
      QUICK_START_TIMEOUT_MS,
    );
  });
});
