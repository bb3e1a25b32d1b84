import { execFile } from 'node:child_process';
import { useTestNamespace } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCliManager, WM_BIN } from './support/cli-fixture';

const ESC = '\u001b[';

/** Runs `wm` on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function runOnTerminal(args: readonly string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, WM_BIN, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TERM: 'xterm', ...env } },
      (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)),
    );
  });
}

describe('wm output', () => {
  const ns = useTestNamespace('clit');

  it('is coloured on a terminal only: plain and aligned in a pipe, with NO_COLOR or --no-color', async () => {
    const { url } = await startCliManager(ns(), {
      workers: [{ type: 'cli-t', contentTypes: ['cli/t'] }],
    });
    await runCli(['submit', '-t', 'cli/t', '{}', '--id', 't-1'], { env: { WM_URL: url } });

    const onTerminal = await runOnTerminal(['list'], { WM_URL: url });
    expect(onTerminal).toContain(`${ESC}1mID`);
    expect(onTerminal).toContain(`${ESC}33mNO_WORKER_AVAILABLE${ESC}0m`);
    expect(await runOnTerminal(['list', '--no-color'], { WM_URL: url })).not.toContain(ESC);
    expect(await runOnTerminal(['list'], { WM_URL: url, NO_COLOR: '1' })).not.toContain(ESC);

    const piped = await runCli(['list'], { env: { WM_URL: url, NO_COLOR: '' } });
    expect(piped.code).toBe(EXIT.ok);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).toMatch(/^ID +STATE +CONTENT TYPE/);
  });
});
