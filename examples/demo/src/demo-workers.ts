import { checksumWorker } from '@org/example-checksum';
import { featureAssemblerWorker } from '@org/example-feature-assembler';
import { fileMoverWorker, LocalStorage } from '@org/example-file-mover';
import { DEFAULT_MAX_JSON_BYTES, metadataExtractorWorker } from '@org/example-metadata-extractor';
import { createWorker, type Logger, type Worker } from '@org/worker-sdk';

/** Drops the workers' info logs so the terminal shows the progress lines; keeps warnings and errors. */
const terse: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (msg, fields) => console.warn(`  worker warning: ${msg}`, fields ?? ''),
  error: (msg, fields) => console.error(`  worker error: ${msg}`, fields ?? ''),
};

export interface DemoWorkersOptions {
  readonly amqpUrl: string;
  readonly namespace: string;
  /** Directories the workers may read and write (the demo's data directory). */
  readonly roots: readonly string[];
  /** The workers' own JSON logs instead of warnings only. @default false */
  readonly verbose?: boolean;
}

/**
 * The example workers (file mover, metadata extractor, checksum, feature assembler) in this process, exactly as their `main.ts` builds them, but without their
 * own signal handlers: the demo stops them in order on Ctrl+C.
 */
export async function startDemoWorkers(options: DemoWorkersOptions): Promise<Worker[]> {
  const common = {
    amqpUrl: options.amqpUrl,
    namespace: options.namespace,
    concurrency: 4,
    handleSignals: false,
    ...(options.verbose ? {} : { logger: terse }),
  };
  const workers = [
    createWorker({
      ...fileMoverWorker({ storage: new LocalStorage({ roots: options.roots }) }),
      ...common,
    }),
    createWorker({
      ...metadataExtractorWorker({
        config: { roots: options.roots, maxJsonBytes: DEFAULT_MAX_JSON_BYTES },
      }),
      ...common,
    }),
    createWorker({ ...checksumWorker({ roots: options.roots }), ...common }),
    createWorker({ ...featureAssemblerWorker(), ...common }),
  ];
  await Promise.all(workers.map((worker) => worker.start()));
  return workers;
}
