import { hostname } from 'node:os';
import {
  buildWorkerMessage,
  CONTRACT_VERSION,
  type OutgoingMessage,
  type WorkerMessageKind,
  type WorkerStatusInput,
} from '@org/protocol';
import { type ResolvedWorkerOptions } from '../worker-options';
import { type WorkerStatsSnapshot } from './worker-stats';

export interface LiveStatus {
  readonly status: 'ready' | 'draining';
  readonly startedAt: string;
  readonly stats: WorkerStatsSnapshot;
  /** CPU percent of one core since the previous message. */
  readonly cpu: number;
  /** JSON Schema of the payload, sent with `register` only. */
  readonly schema: Record<string, unknown> | undefined;
}

/** A `register`, `heartbeat` or `unregister` message: who this instance is and how it is doing. */
export function workerStatusMessage(
  options: Pick<
    ResolvedWorkerOptions<unknown>,
    | 'names'
    | 'type'
    | 'instanceId'
    | 'version'
    | 'description'
    | 'contentTypes'
    | 'concurrency'
    | 'batch'
  >,
  kind: WorkerMessageKind,
  live: LiveStatus,
): OutgoingMessage {
  const { names, type, instanceId, version, description, contentTypes, concurrency, batch } =
    options;
  const body: WorkerStatusInput = {
    id: instanceId,
    type,
    status: live.status,
    version,
    host: hostname(),
    pid: process.pid,
    startedAt: live.startedAt,
    concurrency,
    // The contract allows batches of 2 and more; batch 1 is a v1 instance, advertising nothing.
    batch: batch > 1 ? batch : undefined,
    contract: CONTRACT_VERSION,
    ...live.stats,
    rssBytes: process.memoryUsage.rss(),
    cpu: live.cpu,
    // What the instance is for is said once, at registration; heartbeats stay small.
    ...(kind === 'register'
      ? {
          description,
          contentTypes: contentTypes ? [...contentTypes] : undefined,
          schema: live.schema,
        }
      : {}),
  };
  return buildWorkerMessage(names, kind, body);
}
