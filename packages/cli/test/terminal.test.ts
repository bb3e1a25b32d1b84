import { execFile } from 'node:child_process';
import { useTestNamespace } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCliManager, startCliWorker, WM_BIN } from './support/cli-fixture';

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

  it('submit --wait draws a progress bar for PROGRESS on a terminal, lines in a pipe', async () => {
    const { url } = await startCliManager(ns(), {
      workers: [{ type: 'cli-p', contentTypes: ['cli/p'] }],
    });
    await startCliWorker(ns(), url, {
      type: 'cli-p',
      progressThrottleMs: 0,
      handler: async (_job, ctx) => {
        await ctx.progress(40);
        await ctx.progress(80);
        return ctx.success({ json: {} });
      },
    });
    const onTerminal = await runOnTerminal(
      ['submit', '-t', 'cli/p', '{}', '--wait', '--id', 'p-1'],
      { WM_URL: url },
    );
    expect(onTerminal).toMatch(/p-1 \[#{12}-{18}\] {2}40% cli-p/);
    expect(onTerminal).toMatch(/p-1 {2}.*SUCCESS/);
    const piped = await runCli(['submit', '-t', 'cli/p', '{}', '--wait', '--id', 'p-2'], {
      env: { WM_URL: url },
    });
    expect(piped.stdout).not.toContain('[#');
    expect(piped.stdout).toMatch(/p-2 {2}PROGRESS {2}cli-p \(step 0\) {2}40%/);
  });
});
