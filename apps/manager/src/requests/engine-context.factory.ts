import { Inject, Injectable } from '@nestjs/common';
import { resolveDispatchPolicy } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { outputContentType } from '../workflows/workflow-steps';
import { type EngineContext } from './engine/engine-context';

/** Builds the engine's view of the world for one batch of decisions. */
@Injectable()
export class EngineContextFactory {
  constructor(
    private readonly config: ConfigService,
    private readonly catalogue: WorkerCatalogue,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  context(now = Date.now()): EngineContext {
    const { config, catalogue } = this;
    return {
      now,
      maxPayloadBytes: this.environment.maxPayloadBytes,
      grantAnsweredJobs: this.environment.dispatchedAfterMs === 0,
      isAvailable: (type) => catalogue.isAvailable(type),
      failurePolicy: (row) => config.policyFor(row.workflow, row.worker_type),
      stepTimeoutMs: (workflow, workerType) =>
        config.worker(workerType)?.timeoutMs ??
        config.policyFor(workflow, workerType).timeoutMs ??
        null,
      fairKey: (row) => {
        const fairness = resolveDispatchPolicy(config.worker(row.worker_type)).fairness;
        if (fairness === 'none') return null;
        return (fairness === 'tenant' ? row.tenant : row.owner) ?? '';
      },
      outputContentType: (type, responseContentType, input) =>
        outputContentType(responseContentType, config.worker(type), input),
    };
  }
}
