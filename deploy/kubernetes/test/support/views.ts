import { type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { type ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type IService } from 'kubernetes-models/v1/Service';
import { type KubeObject } from './render';

/**
 * Typed views of rendered objects, for the design checks. Each is taken only after the object
 * passed its schema (or structural) check, which is what makes the cast safe.
 */
export interface Kinds {
  Deployment: IDeployment;
  Service: IService;
  ConfigMap: IConfigMap;
  PodDisruptionBudget: IPodDisruptionBudget;
  NetworkPolicy: INetworkPolicy;
  ScaledObject: IScaledObject;
  TriggerAuthentication: ITriggerAuthentication;
  RabbitmqCluster: KubeObject & { spec: { replicas?: number } };
  Pooler: KubeObject & { spec: { pgbouncer: { poolMode: string } } };
}

export function all<K extends keyof Kinds>(objects: readonly KubeObject[], kind: K): Kinds[K][] {
  return objects.filter((object) => object.kind === kind) as unknown as Kinds[K][];
}

export function one<K extends keyof Kinds>(
  objects: readonly KubeObject[],
  kind: K,
  name: string,
): Kinds[K] {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered objects`);
  return found as unknown as Kinds[K];
}

/** True when every label of `selector` is on `labels`. */
export function selects(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);
}
