import { type WorkerCatalogue } from '../../workers/worker-catalogue.service';

/**
 * The concurrency advertised by a type's live ready instances (design 5.1): each counts its
 * `concurrency`, or `DEFAULT_INSTANCE_CONCURRENCY` when it advertises none (the catalogue's
 * `capacity`).
 */
export function liveConcurrency(catalogue: WorkerCatalogue, type: string): number {
  return catalogue.capacity(type).concurrency;
}
