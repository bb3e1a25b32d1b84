import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MOVER_TYPE, LocalStorage } from '@org/example-file-mover';
import { expectedBbox, makeGeoTiff, type ProductFeature } from '@org/example-metadata-extractor';
import { HEADERS } from '@org/protocol';
import {
  collectEvents,
  deferred,
  eventOf,
  header,
  useTestNamespace,
  withTimeout,
} from '@org/testkit';
import { DataDirs, sha256Of } from './support/products';
import {
  HEARTBEAT_INTERVAL_MS,
  requests,
  RunCounter,
  startExtractor,
  startMover,
  startTestManager,
  submitIngest,
  waitUntilAvailable,
} from './support/system';

const STALLING_MOVER = join(__dirname, 'support/stalling-mover.cjs');
const BUILT_MOVER = join(__dirname, '../../file-mover/dist/index.js');
/** Where the child stalls (see stalling-mover.cjs). */
const STALL_AFTER_BYTES = 1024 * 1024;

/** Copies instead of renaming, like a move across devices: the path a kill can interrupt. */
class CopyingStorage extends LocalStorage {
  override sameDevice(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/** Resolves when the child writes `line` on stdout; rejects if it exits first. */
function lineFrom(child: ChildProcess, line: string, output: string[]): Promise<void> {
  const seen = deferred();
  child.stdout?.on('data', (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.join('').split('\n').includes(line)) seen.resolve();
  });
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.once('exit', (code, signal) =>
    seen.reject(new Error(`child exited (${code ?? signal}) before "${line}": ${output.join('')}`)),
  );
  return seen.promise;
}

describe('a file mover killed mid-move', () => {
  const ns = useTestNamespace('e2e');
  let dirs: DataDirs;
  beforeEach(async () => {
    dirs = await DataDirs.create();
  });
  afterEach(() => dirs.dispose());

  it('is redelivered to another mover: the file arrives intact and the request succeeds once', async () => {
    if (!existsSync(BUILT_MOVER)) throw new Error(`${BUILT_MOVER} is missing: run \`pnpm build\``);
    const manager = await startTestManager(ns());
    await startExtractor(ns(), manager, dirs.roots);
    const events = await collectEvents(ns());
    // A GeoTIFF with 4 MiB of trailing bytes (TIFF readers ignore them): large enough that the
    // copy is under way when the child stalls, and quick to generate.
    const spec = { width: 16, height: 16 };
    const bytes = Buffer.concat([makeGeoTiff(spec), randomBytes(4 * 1024 * 1024)]);
    const product = await dirs.write('large.tif', bytes, 'GeoTIFF', expectedBbox(spec));
    expect(product.size).toBeGreaterThan(2 * STALL_AFTER_BYTES);
    ns().workerTypes.add(FILE_MOVER_TYPE);
    const child = spawn(process.execPath, [STALLING_MOVER], {
      env: ns().env({
        FILE_MOVER_ROOTS: dirs.roots.join(':'),
        WM_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ns().defer(() => child.kill('SIGKILL'));
    const output: string[] = [];
    const stalled = lineFrom(child, 'STALLED', output);
    stalled.catch(() => undefined); // awaited below; a rejection before that is not unhandled
    await waitUntilAvailable(manager, FILE_MOVER_TYPE);

    submitIngest(ns(), 'killed', { source: product.source, destination: product.destination });
    await withTimeout(stalled, 30_000, 'the child mover stalled mid-copy');
    const partials = (await readdir(dirs.store)).filter((name) => name.endsWith('.partial'));
    expect(partials).toHaveLength(1); // the copy was under way
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // Another mover (in this process) takes the job the broker requeued.
    const mover = new RunCounter();
    await startMover(ns(), manager, dirs.roots, {
      counter: mover,
      storage: new CopyingStorage({ roots: dirs.roots }),
    });
    const success = await events.first(eventOf('killed', 'SUCCESS'), 30_000);

    expect(mover.runs).toEqual([{ requestId: 'killed', redelivered: true }]);
    expect(existsSync(product.source)).toBe(false);
    expect(await sha256Of(product.destination)).toBe(product.sha256);
    // No partial copy left behind: the file and the mover's receipt, nothing else.
    expect((await readdir(dirs.store)).sort()).toEqual(
      [`.${product.name}.file-mover.json`, product.name].sort(),
    );
    const feature = JSON.parse(success.content.toString('utf8')) as ProductFeature;
    expect(feature.id).toBe(product.sha256);
    expect(feature.bbox).toEqual(product.bbox);
    // Exactly one terminal event, and the row is gone.
    const terminal = events.matching(
      (message) =>
        header(message, HEADERS.requestId) === 'killed' &&
        ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED'].includes(
          String(header(message, HEADERS.state)),
        ),
    );
    expect(terminal).toHaveLength(1);
    expect(await requests(manager).find('killed')).toBeNull();
  });
});
