import 'reflect-metadata';
import {
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type LogLevel,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { BatchTransport } from './messaging/batch-transport';
import { loadEnvironment, type ManagerEnvironment } from './config/manager-environment';
import { createOperatorInterface } from './http/operator-interface';
import { OperatorLifecycle } from './http/operator.lifecycle';

/** Options of {@link startManager} beyond the environment. */
export interface StartManagerOptions {
  /** Further Nest modules to import (the admin side, test doubles). @default [] */
  readonly imports?: DynamicModule['imports'];
  /** Where the environment is read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Nest logger or log levels. @default JSON lines through the manager's pino logger (LOG_LEVEL) */
  readonly logger?: LoggerService | LogLevel[] | false;
}

/** A manager replica running in this process. */
export interface RunningManager {
  readonly app: INestApplication;
  readonly environment: ManagerEnvironment;
  readonly replicaId: string;
  /** The HTTP port actually listened on (useful with `port: 0`), or undefined without HTTP. */
  readonly port: number | undefined;
  /** `WM_SHUTDOWN_TIMEOUT_MS`: how long `close()` lets HTTP calls in flight finish. */
  readonly shutdownTimeoutMs: number;
  /** Stops intake, finishes the batches in flight, closes connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a manager replica in this process: environment validated, migrations applied,
 * configuration loaded, topology declared, consumers and sweeps running.
 *
 * ```ts
 * const manager = await startManager({ namespace: 'demo', config, port: 0 });
 * // …
 * await manager.close();
 * ```
 */
export async function startManager(
  overrides: Partial<ManagerEnvironment> = {},
  options: StartManagerOptions = {},
): Promise<RunningManager> {
  const environment = loadEnvironment(options.env ?? process.env, overrides);
  // The operator's side (REST, health, metrics, API keys, JSON logs) installs its own body parser.
  const operator = createOperatorInterface(options.env ?? process.env, {
    namespace: environment.namespace,
    apiKeys: environment.apiKeys,
  });
  const app = await NestFactory.create(
    AppModule.forRoot(environment, [operator.module, ...(options.imports ?? [])]),
    {
      abortOnError: false,
      logger: options.logger ?? operator.nestLogger,
      bodyParser: false,
    },
  );
  operator.configure(app);
  // The manager's consumers are message handlers (`@EventPattern`) hosted by this transport.
  app.connectMicroservice({ strategy: app.get(BatchTransport) }, { inheritAppConfig: true });
  let port: number | undefined;
  try {
    if (environment.http) {
      await app.listen(environment.port);
      const server = app.getHttpServer() as { address(): { port: number } | string | null };
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : environment.port;
    } else {
      await app.init();
    }
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    environment,
    replicaId: environment.replicaId,
    port,
    shutdownTimeoutMs: operator.options.shutdownTimeoutMs,
    close: () =>
      (closing ??= app
        .get(OperatorLifecycle, { strict: false })
        .stop()
        .then(() => app.close())),
  };
}
