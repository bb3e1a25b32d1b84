import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useTestNamespace } from '@org/testkit';
import { EXIT } from '../src/exit-codes';
import { runCli, startCli, startCliManager } from './support/cli-fixture';

const KEY = 'cli-operator-key-0123456789';
const READ_KEY = 'cli-reader-key-0123456789';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wm reaching the manager', () => {
  const ns = useTestNamespace('clia');

  it('a bad or missing API key exits 7 with one line; the key comes from a flag, the environment or the config file', async () => {
    const { url } = await startCliManager(
      ns(),
      { workers: [{ type: 'cli-k', contentTypes: ['cli/k'] }] },
      {
        apiKeys: [`ops:operate:${KEY}`, `viewer:read:${READ_KEY}`],
      },
    );

    const missing = await runCli(['list'], { env: { WM_URL: url } });
    expect(missing.code).toBe(EXIT.unauthorized);
    expect(missing.stderr).toBe(
      'wm: an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>" [HTTP 401 unauthorized]\n',
    );
    const wrong = await runCli(['list', '--api-key', 'not-the-key-at-all'], {
      env: { WM_URL: url },
    });
    expect(wrong.code).toBe(EXIT.unauthorized);
    expect(wrong.stderr).toBe('wm: the API key is not valid [HTTP 401 unauthorized]\n');
    const readOnly = await runCli(['submit', '-t', 'cli/k', '{}'], {
      env: { WM_URL: url, WM_API_KEY: READ_KEY },
    });
    expect(readOnly.code).toBe(EXIT.unauthorized);
    expect(readOnly.stderr).toMatch(
      /^wm: the API key "viewer" has the read role; this call needs operate \[HTTP 403 forbidden\]\n$/,
    );

    const byEnv = await runCli(['submit', '-t', 'cli/k', '{}', '--id', 'k-1'], {
      env: { WM_URL: url, WM_API_KEY: KEY },
    });
    expect(byEnv).toMatchObject({ code: EXIT.ok, stdout: 'k-1  NO_WORKER_AVAILABLE\n' });

    const dir = mkdtempSync(path.join(tmpdir(), 'wm-cli-'));
    ns().defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ url, apiKey: KEY }));
    const byFile = await runCli(['--json', 'get', 'k-1'], { env: { WM_CLI_CONFIG: file } });
    expect(byFile.code).toBe(EXIT.ok);
    expect(JSON.parse(byFile.stdout)).toMatchObject({ id: 'k-1' });
    // The flag wins over the environment, which wins over the file.
    const flagWins = await runCli(['get', 'k-1', '--api-key', 'wrong-wrong-wrong-wrong'], {
      env: { WM_CLI_CONFIG: file, WM_API_KEY: KEY },
    });
    expect(flagWins.code).toBe(EXIT.unauthorized);
    const envWins = await runCli(['get', 'k-1'], {
      env: { WM_CLI_CONFIG: file, WM_API_KEY: 'wrong-wrong-wrong-wrong' },
    });
    expect(envWins.code).toBe(EXIT.unauthorized);
    // XDG_CONFIG_HOME/wm/config.json is the default file.
    const xdg = path.join(dir, 'xdg');
    mkdirSync(path.join(xdg, 'wm'), { recursive: true });
    writeFileSync(path.join(xdg, 'wm', 'config.json'), JSON.stringify({ url, apiKey: KEY }));
    const byDefaultFile = await runCli(['get', 'k-1'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(byDefaultFile.code).toBe(EXIT.ok);
  });

  it('an unreachable manager, a bad URL and a bad config file: one line and a documented exit code', async () => {
    const port = await closedPort();
    const down = await runCli(['list', '--url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(EXIT.unreachable);
    expect(down.stderr).toBe(
      `wm: cannot reach the manager at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    const waiting = await runCli(['submit', '-t', 'x/y', '{}', '--wait'], {
      env: { WM_URL: `http://127.0.0.1:${port}` },
    });
    expect(waiting.code).toBe(EXIT.unreachable);
    expect(waiting.stderr.split('\n')).toHaveLength(2);

    const badUrl = await runCli(['list', '--url', 'ftp://example']);
    expect(badUrl).toMatchObject({
      code: EXIT.usage,
      stderr: 'wm: the manager URL "ftp://example" is not an http(s) URL\n',
    });
    const noFile = await runCli(['list', '--config', '/nonexistent/wm.json']);
    expect(noFile.code).toBe(EXIT.usage);
    expect(noFile.stderr).toMatch(
      /^wm: cannot read the config file \/nonexistent\/wm.json: .*ENOENT.*\n$/,
    );
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'\n/);
  });

  it('a stopping manager ends a watch at once (exit 8), without holding its stop for the shutdown timeout (25 s)', async () => {
    const { manager, url } = await startCliManager(ns(), { workers: [] });
    const watcher = startCli(['watch'], { env: { WM_URL: url } });
    ns().defer(() => watcher.kill());
    await watcher.stderrContains('watching');
    const started = Date.now();
    await manager.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    const watched = await watcher.result;
    expect(watched.code).toBe(EXIT.unreachable);
    expect(watched.stderr).toBe(
      'watching (Ctrl-C to stop)\nwm: the event stream of the manager closed\n',
    );
  });
});
