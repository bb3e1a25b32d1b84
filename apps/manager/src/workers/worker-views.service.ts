import { Injectable } from '@nestjs/common';
import { type WorkerStatusBody } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { RequestReads } from '../requests/request-reads.service';
import {
  type WorkerInstanceViewDto,
  type WorkerTypeStatsDto,
  type WorkerTypeViewDto,
} from './dto/worker-type-view.dto';
import { type WorkerInstanceSnapshot, WorkerCatalogue } from './worker-catalogue.service';

/**
 * `GET /api/v1/workers`: every worker type that is configured, heard of, or has waiting
 * requests, joining the configuration, this replica's liveness catalogue and the database.
 */
@Injectable()
export class WorkerViews {
  constructor(
    private readonly catalogue: WorkerCatalogue,
    private readonly config: ConfigService,
    private readonly reads: RequestReads,
  ) {}

  async list(now = Date.now()): Promise<WorkerTypeViewDto[]> {
    const config = this.config.current();
    const snapshots = new Map(
      this.catalogue.snapshot(now).map((snapshot) => [snapshot.type, snapshot]),
    );
    const waiting = new Map(
      (await this.reads.waiting(this.config.workerTypes())).map((stats) => [
        stats.workerType,
        stats,
      ]),
    );
    const configured = new Map(config.workers.map((worker) => [worker.type, worker]));
    const types = [
      ...new Set([...configured.keys(), ...snapshots.keys(), ...waiting.keys()]),
    ].sort();
    return types.map((type) => {
      const instances = snapshots.get(type)?.instances ?? [];
      const live = instances.filter((instance) => instance.live);
      const wait = waiting.get(type);
      return {
        type,
        configured: configured.has(type),
        contentTypes: configured.get(type)?.contentTypes ?? [],
        workflows: config.workflows
          .filter((workflow) => workflow.steps.includes(type))
          .map((workflow) => workflow.type),
        available: snapshots.get(type)?.available ?? false,
        liveInstances: live.length,
        waiting: wait?.total ?? 0,
        oldestWaitSeconds: wait?.oldestSince
          ? Math.max(0, Math.round((now - Date.parse(wait.oldestSince)) / 100) / 10)
          : null,
        stats: statsOf(live.map((instance) => instance.stats)),
        instances: instances.map(instanceView),
      };
    });
  }
}

function instanceView(instance: WorkerInstanceSnapshot): WorkerInstanceViewDto {
  const { stats } = instance;
  return {
    id: instance.id,
    status: instance.status,
    live: instance.live,
    lastSeenAt: instance.lastSeenAt.toISOString(),
    registeredAt: instance.registeredAt.toISOString(),
    version: stats.version,
    host: stats.host,
    pid: stats.pid,
    startedAt: stats.startedAt,
    concurrency: stats.concurrency,
    inFlight: stats.inFlight,
    processed: stats.processed,
    failed: stats.failed,
    avgDurationMs: stats.avgDurationMs,
    rssBytes: stats.rssBytes,
    cpu: stats.cpu,
  };
}

function statsOf(bodies: readonly WorkerStatusBody[]): WorkerTypeStatsDto {
  let weighted = 0;
  let weight = 0;
  const sum = (pick: (body: WorkerStatusBody) => number | undefined): number =>
    bodies.reduce((total, body) => total + (pick(body) ?? 0), 0);
  for (const body of bodies) {
    if (body.avgDurationMs !== undefined && body.processed) {
      weighted += body.avgDurationMs * body.processed;
      weight += body.processed;
    }
  }
  return {
    concurrency: sum((body) => body.concurrency),
    inFlight: sum((body) => body.inFlight),
    processed: sum((body) => body.processed),
    failed: sum((body) => body.failed),
    avgDurationMs: weight > 0 ? Math.round((weighted / weight) * 10) / 10 : null,
  };
}
