import { Logger } from '@nestjs/common';
import { ConfigValidationError } from './config/config-validation.error';
import { EnvironmentError } from './config/manager-environment';
import { startManager } from './start-manager';
import { startTracingFromEnvironment } from './tracing/tracing-setup';

/**
 * Time a stop may take beyond `WM_SHUTDOWN_TIMEOUT_MS` (which bounds the HTTP calls in flight):
 * the consumers' last batches, the dispatches in flight and the connection closes.
 */
const SHUTDOWN_MARGIN_MS = 5_000;

/**
 * The process entry point (`pnpm --filter @org/manager start`): start, report configuration
 * problems clearly and exit 1, stop gracefully on SIGTERM/SIGINT within a bound.
 */
export async function runMain(): Promise<void> {
  const logger = new Logger('Manager');
  // Before the manager: its spans go to the provider registered here (OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracingFromEnvironment('wm-manager');
  let manager: Awaited<ReturnType<typeof startManager>>;
  try {
    manager = await startManager();
  } catch (error) {
    if (error instanceof EnvironmentError || error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.error(`the manager could not start: ${(error as Error).stack ?? String(error)}`);
    }
    process.exit(1);
  }
  logger.log(
    `manager replica ${manager.replicaId} started${manager.port !== undefined ? ` on port ${manager.port}` : ''}`,
  );
  if (manager.port !== undefined)
    logger.log(`dashboard: http://localhost:${manager.port}/dashboard`);
  const stop = (signal: string): void => {
    logger.log(`${signal} received, shutting down`);
    const boundMs = manager.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS;
    const bound = setTimeout(() => {
      logger.error(`shutdown took longer than ${boundMs} ms, exiting`);
      process.exit(1);
    }, boundMs);
    bound.unref();
    manager
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
