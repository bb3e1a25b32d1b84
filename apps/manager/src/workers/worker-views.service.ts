import { Injectable } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { RequestReads } from '../requests/request-reads.service';
import {
  type WorkerInstanceViewDto,
  type WorkerRegistrationViewDto,
  type WorkerTypeStatsDto,
  type WorkerTypeViewDto,
} from './dto/worker-type-view.dto';
import { InstanceRepository, type InstanceRecord } from './instance.repository';
import { PayloadSchemas } from './payload-schemas.service';
import { type RegistrationRecord } from './registration.repository';
import { WorkerCatalogue } from './worker-catalogue.service';
import { WorkerRegistry } from './worker-registry.service';

/** What `GET /api/v1/workers` includes of each type's instances. */
export type InstancesShown = 'all' | 'none';

/**
 * `GET /api/v1/workers`: every worker type that is configured, registered, heard of, or has
 * waiting requests, joining the configuration, this replica's liveness view, the stored
 * registrations and instances, and the waiting requests.
 */
@Injectable()
export class WorkerViews {
  constructor(
    private readonly catalogue: WorkerCatalogue,
    private readonly registry: WorkerRegistry,
    private readonly schemas: PayloadSchemas,
    private readonly instances: InstanceRepository,
    private readonly config: ConfigService,
    private readonly reads: RequestReads,
  ) {}

  async list(shown: InstancesShown = 'all', now = Date.now()): Promise<WorkerTypeViewDto[]> {
    const config = this.config.current();
    const [records, waitingStats] = await Promise.all([
      shown === 'all' ? this.instances.list() : Promise.resolve([]),
      this.reads.waiting(this.config.workerTypes()),
    ]);
    const byType = new Map<string, InstanceRecord[]>();
    for (const record of records) {
      const list = byType.get(record.type) ?? [];
      list.push(record);
      byType.set(record.type, list);
    }
    const views = new Map(this.catalogue.snapshot().map((snapshot) => [snapshot.type, snapshot]));
    const waiting = new Map(waitingStats.map((stats) => [stats.workerType, stats]));
    const configured = new Map(config.workers.map((worker) => [worker.type, worker]));
    const types = [
      ...new Set([
        ...configured.keys(),
        ...views.keys(),
        ...byType.keys(),
        ...this.registry.all().map((registration) => registration.type),
        ...waiting.keys(),
      ]),
    ].sort();
    return types.map((type) => {
      const instances = byType.get(type) ?? [];
      const capacity = this.catalogue.capacity(type);
      const wait = waiting.get(type);
      const registration = this.registry.get(type);
      return {
        type,
        configured: configured.has(type),
        contentTypes: configured.get(type)?.contentTypes ?? [],
        workflows: config.workflows
          .filter((workflow) =>
            workflow.steps.some((step) => (typeof step === 'string' ? step : step.worker) === type),
          )
          .map((workflow) => workflow.type),
        registration: registration ? this.registrationView(registration) : null,
        available: this.catalogue.isAvailable(type),
        liveInstances: capacity.liveInstances,
        capacity: capacity.concurrency,
        batch: capacity.batch ?? null,
        waiting: wait?.total ?? 0,
        oldestWaitSeconds: wait?.oldestSince
          ? Math.max(0, Math.round((now - Date.parse(wait.oldestSince)) / 100) / 10)
          : null,
        stats: statsOf(instances.filter((instance) => instance.live)),
        instances: instances.map(instanceView),
      };
    });
  }

  private registrationView(registration: RegistrationRecord): WorkerRegistrationViewDto {
    const schemaError = this.schemas.schemaError(registration.type);
    return {
      instanceId: registration.instanceId,
      description: registration.description,
      version: registration.version,
      contract: registration.contract,
      contentTypes: [...registration.contentTypes],
      schema: registration.schema,
      ...(schemaError !== undefined ? { schemaError } : {}),
      registeredAt: registration.registeredAt.toISOString(),
    };
  }
}

function instanceView(instance: InstanceRecord): WorkerInstanceViewDto {
  const { stats } = instance;
  return {
    id: instance.id,
    status: instance.status,
    live: instance.live,
    lastSeenAt: instance.lastSeenAt.toISOString(),
    registeredAt: instance.registeredAt.toISOString(),
    version: instance.version ?? undefined,
    host: instance.host ?? undefined,
    pid: instance.pid ?? undefined,
    startedAt: instance.startedAt ?? undefined,
    contract: instance.contract ?? undefined,
    concurrency: instance.concurrency ?? undefined,
    batch: instance.batch ?? undefined,
    inFlight: stats.inFlight,
    processed: stats.processed,
    failed: stats.failed,
    avgDurationMs: stats.avgDurationMs,
    rssBytes: stats.rssBytes,
    cpu: stats.cpu,
  };
}

function statsOf(instances: readonly InstanceRecord[]): WorkerTypeStatsDto {
  let weighted = 0;
  let weight = 0;
  const sum = (pick: (instance: InstanceRecord) => number | null | undefined): number =>
    instances.reduce((total, instance) => total + (pick(instance) ?? 0), 0);
  for (const { stats } of instances) {
    if (stats.avgDurationMs !== undefined && stats.processed) {
      weighted += stats.avgDurationMs * stats.processed;
      weight += stats.processed;
    }
  }
  return {
    concurrency: sum((instance) => instance.concurrency),
    inFlight: sum((instance) => instance.stats.inFlight),
    processed: sum((instance) => instance.stats.processed),
    failed: sum((instance) => instance.stats.failed),
    avgDurationMs: weight > 0 ? Math.round((weighted / weight) * 10) / 10 : null,
  };
}
