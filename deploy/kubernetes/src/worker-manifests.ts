import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { DEPLOYMENT, type WorkerTypeSpec } from './worker-types';

/** Names and labels shared by the generated objects and the hand-written base. */
export const PART_OF = 'worker-manager';
export const WORKER_COMPONENT = 'worker';
/** TriggerAuthentications of the base (`base/keda.yaml`). */
export const BROKER_TRIGGER_AUTH = 'wm-rabbitmq-management';
export const MANAGER_TRIGGER_AUTH = 'wm-manager-api';
/** Secret and ConfigMap the workers read by reference (`base/`; values never checked in). */
export const BROKER_SECRET = { name: 'wm-broker', key: 'amqp-url' };
export const SETTINGS_CONFIG_MAP = 'wm-settings';

/** Margin a stopping worker needs beyond its grace: unregister, last confirms, exit. */
const STOP_MARGIN_SECONDS = 15;

export function workerName(spec: WorkerTypeSpec): string {
  return `wm-worker-${spec.type}`;
}

function labels(spec: WorkerTypeSpec): Record<string, string> {
  return {
    'app.kubernetes.io/name': spec.type,
    'app.kubernetes.io/component': WORKER_COMPONENT,
    'app.kubernetes.io/part-of': PART_OF,
  };
}

function selector(spec: WorkerTypeSpec): Record<string, string> {
  return {
    'app.kubernetes.io/name': spec.type,
    'app.kubernetes.io/component': WORKER_COMPONENT,
  };
}

/** The Deployment of one worker type. Its replica count belongs to KEDA, so it sets none. */
export function workerDeployment(spec: WorkerTypeSpec): IDeployment {
  const grace = spec.shutdownGraceSeconds ?? 30;
  const env = [
    { name: 'AMQP_URL', valueFrom: { secretKeyRef: BROKER_SECRET } },
    ...['WM_NAMESPACE', 'WM_HEARTBEAT_INTERVAL_MS', 'WM_LOG_LEVEL'].map((name) => ({
      name,
      valueFrom: { configMapKeyRef: { name: SETTINGS_CONFIG_MAP, key: name } },
    })),
    { name: spec.concurrencyVariable, value: String(spec.concurrency) },
    ...Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: workerName(spec),
      labels: labels(spec),
      annotations: { 'worker-manager/description': spec.description },
    },
    spec: {
      selector: { matchLabels: selector(spec) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(spec) },
        spec: {
          // SIGTERM: the SDK stops taking jobs, finishes the running ones (its grace), unregisters.
          terminationGracePeriodSeconds: grace + STOP_MARGIN_SECONDS,
          automountServiceAccountToken: false,
          // The images run as `node` (uid 1000); a numeric id lets Kubernetes verify it is not
          // root, and fsGroup gives it the shared volume.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            ...(spec.dataVolume ? { fsGroup: 1000 } : {}),
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'worker',
              image: spec.image,
              env,
              resources: {
                requests: { ...spec.resources.requests },
                limits: { ...spec.resources.limits },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              ...(spec.dataVolume
                ? {
                    volumeMounts: [
                      {
                        name: 'data',
                        mountPath: spec.dataVolume.mountPath,
                        readOnly: spec.dataVolume.readOnly,
                      },
                    ],
                  }
                : {}),
            },
          ],
          ...(spec.dataVolume
            ? {
                volumes: [
                  {
                    name: 'data',
                    persistentVolumeClaim: {
                      claimName: DEPLOYMENT.dataClaim,
                      readOnly: spec.dataVolume.readOnly,
                    },
                  },
                ],
              }
            : {}),
        },
      },
    },
  };
}

/**
 * KEDA scales the type on two signals and takes the larger:
 *
 * - `rabbitmq` with `protocol: http`: the management API's `messages` of `<ns>.worker.<type>`,
 *   which counts jobs delivered but not yet acknowledged (AMQP's passive declare would count
 *   only the ready ones and see an empty queue while every pod is busy); one pod per
 *   `concurrency` jobs;
 * - `metrics-api` on the manager's `GET /api/v1/scaling/<type>`: requests waiting in PostgreSQL,
 *   which the queue never shows (the manager holds them back while no instance is alive, or
 *   while the dispatch window is full), so a type scaled to zero comes back.
 */
export function workerScaledObject(spec: WorkerTypeSpec): IScaledObject {
  const { kubernetesNamespace, wmNamespace, managerService, managerPort } = DEPLOYMENT;
  const managerUrl = `http://${managerService}.${kubernetesNamespace}.svc.cluster.local:${managerPort}`;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: workerName(spec), labels: labels(spec) },
    spec: {
      scaleTargetRef: { name: workerName(spec) },
      minReplicaCount: spec.minReplicas ?? 0,
      maxReplicaCount: spec.maxReplicas,
      pollingInterval: 10,
      // Scale to zero only after five idle minutes: a new burst then finds warm pods.
      cooldownPeriod: 300,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            // One pod a minute at most, so pods finishing their jobs are not cut short in herds.
            scaleDown: {
              stabilizationWindowSeconds: 300,
              policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
            },
          },
        },
      },
      triggers: [
        {
          type: 'rabbitmq',
          name: 'queue-length',
          metadata: {
            protocol: 'http',
            queueName: `${wmNamespace}.worker.${spec.type}`,
            vhostName: '/',
            mode: 'QueueLength',
            value: String(spec.concurrency),
            activationValue: '0',
          },
          authenticationRef: { name: BROKER_TRIGGER_AUTH },
        },
        {
          type: 'metrics-api',
          name: 'waiting-requests',
          metadata: {
            url: `${managerUrl}/api/v1/scaling/${spec.type}`,
            valueLocation: 'waitingRequests',
            targetValue: String(spec.waitingPerReplica ?? spec.concurrency * 4),
            activationTargetValue: '0',
            authMode: 'apiKey',
            method: 'header',
            keyParamName: 'X-API-Key',
          },
          authenticationRef: { name: MANAGER_TRIGGER_AUTH },
        },
      ],
    },
  };
}

/** Voluntary evictions (node drains) take one pod of the type at a time. */
export function workerDisruptionBudget(spec: WorkerTypeSpec): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: workerName(spec), labels: labels(spec) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(spec) } },
  };
}
