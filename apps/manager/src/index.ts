/**
 * `@org/manager`: the worker manager. Run it as a process (`node dist/main.js`) or in-process:
 *
 * ```ts
 * import { startManager } from '@org/manager';
 *
 * const manager = await startManager({ namespace: 'demo', configPath: './manager.yaml', port: 0 });
 * const [outcome] = await manager.app.get(RequestsService).submit([{ contentType: 'product/raw', body }]);
 * await manager.close();
 * ```
 */
import 'reflect-metadata';

export { startManager, type RunningManager, type StartManagerOptions } from './start-manager';
export {
  loadEnvironment,
  EnvironmentError,
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_PORT,
  type ManagerEnvironment,
} from './config/manager-environment';
export { MANAGER_ENVIRONMENT, NAMES } from './config/environment.tokens';
export { AppModule } from './app.module';
export { ConfigService, type ConfigListener } from './config/config.service';
export { ConfigValidationError } from './config/config-validation.error';
export { DatabaseService } from './database/database.service';
export { createDataSource, migrate } from './database/create-data-source';
export { AmqpService } from './messaging/amqp.service';
export { RequesterEvents } from './requests/events/requester-events.service';
export {
  WorkerCatalogue,
  type WorkerTypeSnapshot,
  type WorkerCapacity,
  type AvailabilityListener,
} from './workers/worker-catalogue.service';
export { PayloadSchemas, isJsonMime } from './workers/payload-schemas.service';
export { type PayloadViolation } from './workers/payload-schema-compiler';
export { WorkerRegistry } from './workers/worker-registry.service';
export { type RegistrationRecord } from './workers/registration.repository';
export { WorkflowsService, type RoutePlan } from './workflows/workflows.service';
export {
  RequestsService,
  type SubmitRequestInput,
  type RequestOperationResult,
} from './requests/requests.service';
export { CANCELLABLE_STATES, DELETABLE_STATES } from './requests/engine/operations';
export { Dispatcher } from './requests/dispatch/dispatcher.service';
export { type IntakeOutcome } from './requests/intake.service';
export { RequestReads, type WaitingByType } from './requests/request-reads.service';
export { type RequestDetail, type RequestSummary } from './requests/request-views';
export { DispatchControls } from './requests/dispatch/dispatch-controls.service';
export { DispatchStates } from './requests/dispatch/dispatch-states.service';
export { RequestCounters } from './requests/request-counters';
export { type DropReason } from './requests/engine/drop-reason';
export {
  RequestNotFoundError,
  RequestStateError,
  OutputUnavailableError,
} from './requests/request-errors';
export { Sweeper } from './requests/sweeper.service';
