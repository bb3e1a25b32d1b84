import { type DynamicModule, type INestApplication, type LoggerService } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Logger } from 'pino';
import { configureHttp } from './configure-http';
import { HttpDrain } from './http-drain';
import { httpOptionsFromEnv, type HttpOptions } from './http-options';
import { OperatorModule } from './operator.module';
import { createLogger } from '../logging/logger';
import { PinoNestLogger } from '../logging/pino-nest-logger';

/** Everything `startManager` needs to add the operator's side to a replica. */
export interface OperatorInterface {
  readonly options: HttpOptions;
  readonly logger: Logger;
  /** NestJS's own logging, as JSON lines. */
  readonly nestLogger: LoggerService;
  /** Import into the application module. */
  readonly module: DynamicModule;
  /** Call on the created application before `listen`/`init` (it must be created with `bodyParser: false`). */
  configure(app: INestApplication): void;
}

/**
 * Reads the operator settings (`WM_API_KEYS`, `WM_MAX_BODY_BYTES`, `LOG_LEVEL`,
 * `WM_SHUTDOWN_TIMEOUT_MS`) and builds the module and HTTP set-up. `apiKeys` given by the caller
 * (the manager environment's list) win over the variable.
 */
export function createOperatorInterface(
  env: Readonly<Record<string, string | undefined>>,
  settings: { readonly namespace: string; readonly apiKeys?: readonly string[] },
): OperatorInterface {
  const source: Record<string, string | undefined> = { ...env };
  if (settings.apiKeys !== undefined) source['WM_API_KEYS'] = settings.apiKeys.join(',');
  const options = httpOptionsFromEnv(source);
  const logger = createLogger({ level: options.logLevel, namespace: settings.namespace });
  const drain = new HttpDrain();
  return {
    options,
    logger,
    nestLogger: new PinoNestLogger(logger),
    module: OperatorModule.forRoot(options, logger, drain),
    configure(app: INestApplication): void {
      configureHttp(app as NestExpressApplication, options, logger, drain);
    },
  };
}
