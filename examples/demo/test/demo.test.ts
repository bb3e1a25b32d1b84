import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUM_TYPE } from '@org/example-checksum';
import { FEATURE_ASSEMBLER_TYPE } from '@org/example-feature-assembler';
import { FILE_MOVER_TYPE } from '@org/example-file-mover';
import { METADATA_EXTRACTOR_TYPE } from '@org/example-metadata-extractor';
import { useTestNamespace } from '@org/testkit';

const DEMO_MAIN = join(__dirname, '../dist/main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built demo (`pnpm --filter @org/demo start`) to its exit. */
function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [DEMO_MAIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      resolve({ code, stdout: stdout.join(''), stderr: stderr.join('') }),
    );
  });
}

describe('the demo behind `pnpm start` (built, as a child process)', () => {
  const ns = useTestNamespace('demo');
  let dataDir: string;
  beforeAll(() => {
    if (!existsSync(DEMO_MAIN)) throw new Error(`${DEMO_MAIN} is missing: run \`pnpm build\``);
  });
  beforeEach(async () => {
    dataDir = realpathSync(await mkdtemp(join(tmpdir(), 'demo-test-')));
    ns().workerTypes.add(FILE_MOVER_TYPE);
    ns().workerTypes.add(METADATA_EXTRACTOR_TYPE);
    ns().workerTypes.add(CHECKSUM_TYPE);
    ns().workerTypes.add(FEATURE_ASSEMBLER_TYPE);
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('in exit mode, ingests the sample products, prints progress and features, and exits 0 with a summary', async () => {
    const run = await runDemo(['--exit'], ns().env({ PORT: '0', DEMO_DATA_DIR: dataDir }));

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Summary: all 6 requests succeeded/);
    // One line per state change, naming the product, the state, the step and the worker.
    // The product/ingest-full graph: the mover, then the extractor and the checksum, then the
    // assembler (the fan-in step) whose SUCCESS is the request's.
    expect(run.stdout).toMatch(/paris-utm31n\.tif +GRANTED +step 1\/4 file-mover/);
    expect(run.stdout).toMatch(/paris-utm31n\.tif +GRANTED +step 2\/4 metadata-extractor/);
    expect(run.stdout).toMatch(/paris-utm31n\.tif +GRANTED +step 3\/4 checksum/);
    expect(run.stdout).toMatch(/paris-utm31n\.tif +SUCCESS +step 4\/4 feature-assembler/);
    // The final features, with the generated GeoTIFF's native bbox and the checksums.
    expect(run.stdout).toContain('"nativeBbox":[448000,5411500,449000,5412000]');
    expect(run.stdout).toMatch(/"checksums":\{"sha256":"[0-9a-f]{64}","md5":"[0-9a-f]{32}"/);
    expect(run.stdout).toContain('"verified":true');
    expect(run.stdout).not.toMatch(/api\/docs/); // exit mode does not offer to stay
  }, 60_000);

  it('refuses an explicit PORT that is taken, saying so', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    ns().defer(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const run = await runDemo(['--exit'], ns().env({ PORT: String(port), DEMO_DATA_DIR: dataDir }));

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`port ${port} (PORT) is already in use`);
  });
});
