import { DEFAULT_INSTANCE_CONCURRENCY } from '@org/protocol';
import { type WorkerCatalogue } from '../../workers/worker-catalogue.service';

/**
 * The concurrency advertised by a type's live ready instances (design 5.1): each counts its
 * `concurrency`, or {@link DEFAULT_INSTANCE_CONCURRENCY} when it advertises none.
 */
export function liveConcurrency(catalogue: WorkerCatalogue, type: string): number {
  const entry = catalogue.snapshot().find((snapshot) => snapshot.type === type);
  if (!entry) return 0;
  return entry.instances
    .filter((instance) => instance.live)
    .reduce(
      (sum, instance) => sum + (instance.stats.concurrency ?? DEFAULT_INSTANCE_CONCURRENCY),
      0,
    );
}
