import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUM_TYPE } from '@org/example-checksum';
import { FEATURE_ASSEMBLER_TYPE } from '@org/example-feature-assembler';
import { FILE_MOVER_TYPE } from '@org/example-file-mover';
import { METADATA_EXTRACTOR_TYPE } from '@org/example-metadata-extractor';
import { startManager, WorkerCatalogue, type RunningManager } from '@org/manager';
import { namesFor, TERMINAL_EVENT_STATES, type EventMessage } from '@org/protocol';
import { type Worker } from '@org/worker-sdk';
import { type DemoOptions } from './demo-options';
import { startDemoWorkers } from './demo-workers';
import { EventFeed } from './event-feed';
import { portInUse } from './free-port';
import { progressLine } from './progress-line';
import { writeSampleProducts, type SampleProduct } from './sample-products';

/**
 * The workflow the demo submits to, and its steps' worker types in the order
 * `examples/config/sample.yaml` declares them: the `product/ingest-full` graph (design 5.4), the
 * extractor and the checksum in parallel after the mover, then the assembler (fan-in).
 */
export const INGEST_CONTENT_TYPE = 'product/ingest-full';
const INGEST_STEPS = [
  FILE_MOVER_TYPE,
  METADATA_EXTRACTOR_TYPE,
  CHECKSUM_TYPE,
  FEATURE_ASSEMBLER_TYPE,
];

interface Outcome {
  readonly product: SampleProduct;
  readonly event: EventMessage;
}

/** Where the sample ingest stands; resolves `done` once every request reached a terminal state. */
class IngestTracker {
  readonly outcomes = new Map<string, Outcome>();
  private finish!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(readonly products: ReadonlyMap<string, SampleProduct>) {}

  record(event: EventMessage): void {
    const product = this.products.get(event.requestId);
    if (!product || !TERMINAL_EVENT_STATES.includes(event.state)) return;
    this.outcomes.set(event.requestId, { product, event });
    if (this.outcomes.size === this.products.size) this.finish();
  }

  get succeeded(): Outcome[] {
    return [...this.outcomes.values()].filter((outcome) => outcome.event.state === 'SUCCESS');
  }

  get failed(): Outcome[] {
    return [...this.outcomes.values()].filter((outcome) => outcome.event.state !== 'SUCCESS');
  }

  get pending(): SampleProduct[] {
    return [...this.products.entries()]
      .filter(([id]) => !this.outcomes.has(id))
      .map(([, product]) => product);
  }
}

async function choosePort(options: DemoOptions, log: (line: string) => void): Promise<number> {
  if (options.port === 0 || !(await portInUse(options.port))) return options.port;
  if (options.portExplicit) {
    throw new Error(
      `port ${options.port} (PORT) is already in use: stop what listens there or set another PORT (PORT=0 picks a free one)`,
    );
  }
  log(`Port ${options.port} is already in use; the manager's API takes a free port instead.`);
  return 0;
}

async function dataDirectory(options: DemoOptions, runId: string): Promise<string> {
  if (!options.dataDir) return realpath(await mkdtemp(join(tmpdir(), 'worker-manager-demo-')));
  const dir = join(options.dataDir, runId);
  await mkdir(dir, { recursive: true });
  return realpath(dir);
}

async function untilAvailable(manager: RunningManager, types: readonly string[]): Promise<void> {
  const catalogue = manager.app.get(WorkerCatalogue);
  const deadline = Date.now() + 30_000;
  // The workers registered before start() resolved; the manager's liveness consumer may lag a little.
  while (!types.every((type) => catalogue.isAvailable(type))) {
    if (Date.now() > deadline)
      throw new Error(`workers not seen by the manager: ${types.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function printFeatures(tracker: IngestTracker, dataDir: string, log: (line: string) => void): void {
  log('');
  log('GeoJSON features:');
  for (const { product, event } of tracker.succeeded) {
    log(`  ${product.name}`);
    log(`    ${event.body.toString('utf8')}`);
  }
  log(`(also written as one FeatureCollection to ${join(dataDir, 'features.geojson')})`);
}

function summary(tracker: IngestTracker, seconds: number): string[] {
  const total = tracker.products.size;
  const lines = [
    tracker.failed.length === 0 && tracker.pending.length === 0
      ? `Summary: all ${total} requests succeeded in ${seconds.toFixed(1)} s.`
      : `Summary: ${tracker.succeeded.length} of ${total} requests succeeded in ${seconds.toFixed(1)} s.`,
  ];
  for (const { product, event } of tracker.failed) {
    lines.push(`  ${product.name}: ${event.state} ${event.messages.join('; ')}`.trimEnd());
  }
  for (const product of tracker.pending) lines.push(`  ${product.name}: no answer yet`);
  return lines;
}

/** A running demo: `stop()` shuts everything down gracefully (workers, requester, manager). */
export interface RunningDemo {
  /** Resolves with the process exit code once the sample ingest is over (or timed out). */
  readonly finished: Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the manager and the example workers in this process, submits a sample ingest of
 * generated GeoTIFFs and GeoJSONs, prints each state change and the final features.
 */
export async function runDemo(
  options: DemoOptions,
  log: (line: string) => void = (line) => console.log(line),
): Promise<RunningDemo> {
  const started = Date.now();
  const runId = `${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(2).toString('hex')}`;
  const port = await choosePort(options, log);
  const env = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? (options.verbose ? 'info' : 'warn'),
  };
  log(
    `Starting the manager (namespace "${options.namespace}", configuration ${options.configPath})…`,
  );
  const manager = await startManager(
    { namespace: options.namespace, configPath: options.configPath, port },
    { env, ...(options.verbose ? {} : { logger: ['error', 'warn'] as const }) },
  );
  const closers: Array<() => Promise<unknown>> = [() => manager.close()];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const dataDir = await dataDirectory(options, runId);
    const workers: Worker[] = await startDemoWorkers({
      amqpUrl: manager.environment.amqpUrl,
      namespace: options.namespace,
      roots: [dataDir],
      verbose: options.verbose,
    });
    closers.push(() => Promise.all(workers.map((worker) => worker.stop())));
    await untilAvailable(manager, INGEST_STEPS);
    log(`Workers ready: ${workers.map((worker) => worker.instanceId).join(', ')}`);

    const products = await writeSampleProducts(dataDir);
    const byId = new Map(products.map((product) => [`${runId}-${product.name}`, product]));
    const tracker = new IngestTracker(byId);
    const names = namesFor(options.namespace);
    const feed = await EventFeed.open(manager.environment.amqpUrl, names, (event) => {
      const name = byId.get(event.requestId)?.name ?? event.requestId;
      log(progressLine(event, name, INGEST_STEPS));
      tracker.record(event);
    });
    closers.push(() => feed.close());

    log(
      `Submitting ${products.length} products from ${join(dataDir, 'incoming')} as ${INGEST_CONTENT_TYPE}…`,
    );
    for (const [requestId, product] of byId) {
      await feed.submit(requestId, INGEST_CONTENT_TYPE, {
        source: product.source,
        destination: product.destination,
      });
    }

    const finished = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        tracker.done.then(() => false),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(true), options.timeoutMs)),
        ),
      ]);
      clearTimeout(timer);
      if (timedOut) log(`Timed out after ${options.timeoutMs} ms (DEMO_TIMEOUT_MS).`);
      const features = tracker.succeeded.map(
        ({ event }) => JSON.parse(event.body.toString('utf8')) as unknown,
      );
      await writeFile(
        join(dataDir, 'features.geojson'),
        `${JSON.stringify({ type: 'FeatureCollection', features }, null, 2)}\n`,
      );
      printFeatures(tracker, dataDir, log);
      log('');
      for (const line of summary(tracker, (Date.now() - started) / 1000)) log(line);
      return tracker.failed.length === 0 && tracker.pending.length === 0 && !timedOut ? 0 : 1;
    })();

    if (!options.exit) {
      void finished.then(() => {
        const url = `http://localhost:${manager.port ?? port}`;
        log('');
        log(`The system keeps running. Dashboard: ${url}/dashboard · API docs: ${url}/api/docs`);
        log(
          `Submit more with POST ${url}/api/v1/requests (content type ${INGEST_CONTENT_TYPE}); events appear here.`,
        );
        log('Ctrl+C to stop (graceful: workers finish their jobs, then the manager closes).');
      });
    }
    return { finished, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
