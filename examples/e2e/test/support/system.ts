import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumWorker, type ChecksumJob } from '@org/example-checksum';
import { featureAssemblerWorker } from '@org/example-feature-assembler';
import { fileMoverWorker, LocalStorage, type MoveJob, type Storage } from '@org/example-file-mover';
import {
  DEFAULT_MAX_JSON_BYTES,
  metadataExtractorWorker,
  type DescribeJob,
} from '@org/example-metadata-extractor';
import {
  RequestReads,
  RequestsService,
  startManager,
  WorkerCatalogue,
  type RunningManager,
} from '@org/manager';
import { parseConfigYaml, type ManagerConfig } from '@org/protocol';
import { publishRequest, waitFor, type TestNamespace } from '@org/testkit';
import {
  createWorker,
  type Logger,
  type Worker,
  type WorkerHandler,
  type WorkerOptions,
} from '@org/worker-sdk';

/** Heartbeats this often, so the manager (expiry {@link HEARTBEAT_EXPIRY_MS}) notices quickly. */
export const HEARTBEAT_INTERVAL_MS = 200;
export const HEARTBEAT_EXPIRY_MS = 1500;

export const INGEST = 'product/ingest';
/** The graph workflow of the sample configuration (design 5.4). */
export const INGEST_FULL = 'product/ingest-full';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (msg, fields) => {
    if (process.env['WM_TEST_LOGS']) console.error(msg, fields);
  },
};

/** The repository's sample configuration, exactly as `pnpm start` and the containers use it. */
export function sampleConfig(): ManagerConfig {
  const path = join(__dirname, '../../../config/sample.yaml');
  const parsed = parseConfigYaml(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

/** A manager replica in the test's namespace with the sample configuration and short timers. */
export async function startTestManager(ns: TestNamespace): Promise<RunningManager> {
  const manager = await startManager(
    {
      amqpUrl: ns.amqpUrl,
      databaseUrl: ns.databaseUrl,
      namespace: ns.name,
      config: sampleConfig(),
      heartbeatExpiryMs: HEARTBEAT_EXPIRY_MS,
      sweepIntervalMs: 100,
      configPollMs: 100,
      dispatchLeaseMs: 2000,
      http: false,
    },
    { logger: process.env['WM_TEST_LOGS'] ? ['error', 'warn', 'log'] : ['error'] },
  );
  ns.defer(() => manager.close());
  return manager;
}

/** Counts handler runs, to prove a step did (or did not) run again. */
export class RunCounter {
  readonly runs: Array<{ requestId: string; redelivered: boolean }> = [];
  of(requestId: string): number {
    return this.runs.filter((run) => run.requestId === requestId).length;
  }
}

function counted<T>(definition: WorkerOptions<T>, counter?: RunCounter): WorkerOptions<T> {
  if (!counter) return definition;
  const handler: WorkerHandler<T> = (job, ctx) => {
    counter.runs.push({ requestId: job.requestId, redelivered: job.redelivered });
    return definition.handler(job, ctx);
  };
  return { ...definition, handler };
}

async function startInProcess<T>(
  ns: TestNamespace,
  manager: RunningManager,
  definition: WorkerOptions<T>,
): Promise<Worker> {
  ns.workerTypes.add(definition.type);
  const worker = createWorker({
    ...definition,
    concurrency: 8,
    amqpUrl: ns.amqpUrl,
    namespace: ns.name,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    shutdownGraceMs: 5000,
    handleSignals: false,
    logger: quiet,
  });
  await worker.start();
  ns.defer(() => worker.stop());
  await waitUntilAvailable(manager, definition.type);
  return worker;
}

export async function waitUntilAvailable(manager: RunningManager, type: string): Promise<void> {
  await waitFor(() => manager.app.get(WorkerCatalogue).isAvailable(type), {
    what: `${type} available`,
  });
}

export function startMover(
  ns: TestNamespace,
  manager: RunningManager,
  roots: readonly string[],
  options: { counter?: RunCounter; storage?: Storage } = {},
): Promise<Worker> {
  const storage = options.storage ?? new LocalStorage({ roots });
  return startInProcess<MoveJob>(
    ns,
    manager,
    counted(fileMoverWorker({ storage }), options.counter),
  );
}

export function startExtractor(
  ns: TestNamespace,
  manager: RunningManager,
  roots: readonly string[],
  counter?: RunCounter,
): Promise<Worker> {
  const definition = metadataExtractorWorker({
    config: { roots, maxJsonBytes: DEFAULT_MAX_JSON_BYTES },
  });
  return startInProcess<DescribeJob>(ns, manager, counted(definition, counter));
}

/** The checksum worker of `product/ingest-full`. */
export function startChecksum(
  ns: TestNamespace,
  manager: RunningManager,
  roots: readonly string[],
  counter?: RunCounter,
): Promise<Worker> {
  return startInProcess<ChecksumJob>(ns, manager, counted(checksumWorker({ roots }), counter));
}

/** The fan-in step of `product/ingest-full`. */
export function startAssembler(
  ns: TestNamespace,
  manager: RunningManager,
  counter?: RunCounter,
): Promise<Worker> {
  return startInProcess(ns, manager, counted(featureAssemblerWorker(), counter));
}

/** Publishes a `product/ingest` request (the mover's job) as a requester would. */
export function submitIngest(
  ns: TestNamespace,
  requestId: string,
  job: { source: string; destination: string },
  contentType = INGEST,
): void {
  publishRequest(ns, {
    requestId,
    contentType,
    mimeType: 'application/json',
    body: Buffer.from(JSON.stringify(job)),
  });
}

/** The manager's request operations (retry, cancel, …) and reads (`find`: detail or null). */
export function requests(manager: RunningManager): {
  retry: RequestsService['retry'];
  find: RequestReads['find'];
} {
  const service = manager.app.get(RequestsService);
  const reads = manager.app.get(RequestReads);
  return { retry: (id) => service.retry(id), find: (id) => reads.find(id) };
}
