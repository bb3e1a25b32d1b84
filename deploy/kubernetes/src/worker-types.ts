/**
 * THE list of worker types deployed on Kubernetes: `pnpm kubernetes:generate` turns each entry
 * into a Deployment, a KEDA ScaledObject and a PodDisruptionBudget under `base/workers/`, and a
 * test fails while the checked-in files differ from what this list gives. Add a type here (and
 * to the manager's routing configuration), then regenerate.
 */

/** One worker type and how it runs and scales. */
export interface WorkerTypeSpec {
  /** Worker type: the queue `<ns>.worker.<type>`; `^[a-z0-9][a-z0-9_-]{0,127}$`. */
  readonly type: string;
  /** Container image (the tag is set per overlay with `images:`). */
  readonly image: string;
  /** What it does, for people reading the manifests. */
  readonly description: string;
  /** Jobs one pod runs at once: the worker's own concurrency variable, and the scaling unit. */
  readonly concurrency: number;
  /** Environment variable of the worker that takes `concurrency`. */
  readonly concurrencyVariable: string;
  /** Other environment of the worker (no secrets: those come by reference). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Pods when idle: 0 scales the type to zero. @default 0 */
  readonly minReplicas?: number;
  /** Most pods KEDA may run. */
  readonly maxReplicas: number;
  /**
   * Requests waiting in the manager (no live instance, or a full dispatch window) one more pod
   * should take on: the `metrics-api` trigger's target. @default concurrency × 4
   */
  readonly waitingPerReplica?: number;
  /** How long a stopping pod lets its jobs finish: the worker's `shutdownGraceMs` (SDK default 30 s), in seconds. @default 30 */
  readonly shutdownGraceSeconds?: number;
  /** Container resources. */
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly memory: string; readonly cpu?: string };
  };
  /** The shared products volume, when the worker reads or writes files. @default none */
  readonly dataVolume?: { readonly mountPath: string; readonly readOnly: boolean };
}

/** Deployment-wide settings the generated objects depend on. */
export const DEPLOYMENT = {
  /** Kubernetes namespace of every object (the base kustomization sets the same). */
  kubernetesNamespace: 'worker-manager',
  /** `WM_NAMESPACE`: prefix of every exchange and queue. */
  wmNamespace: 'wm',
  /** The manager's Service and port, for the scale-from-zero endpoint. */
  managerService: 'wm-manager',
  managerPort: 3000,
  /** The PersistentVolumeClaim (ReadWriteMany) holding the products the examples move. */
  dataClaim: 'wm-products',
} as const;

export const WORKER_TYPES: readonly WorkerTypeSpec[] = [
  {
    type: 'file-mover',
    image: 'registry.example.com/worker-manager/file-mover',
    description: 'moves an incoming product file into the store and verifies the copy',
    concurrency: 4,
    concurrencyVariable: 'FILE_MOVER_CONCURRENCY',
    env: { FILE_MOVER_ROOTS: '/data' },
    minReplicas: 0,
    maxReplicas: 20,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    dataVolume: { mountPath: '/data', readOnly: false },
  },
  {
    type: 'metadata-extractor',
    image: 'registry.example.com/worker-manager/metadata-extractor',
    description: 'describes a stored product (GeoTIFF, JSON) as a GeoJSON Feature',
    concurrency: 4,
    concurrencyVariable: 'METADATA_EXTRACTOR_CONCURRENCY',
    env: { METADATA_EXTRACTOR_ROOTS: '/data' },
    minReplicas: 0,
    maxReplicas: 10,
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    dataVolume: { mountPath: '/data', readOnly: true },
  },
];
