import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { type KubeObject } from './render';

/** A kind with a published schema: its model (runtime JSON Schema) and its TypeScript type. */
export interface KnownKind {
  /** Validates against the JSON Schema; throws listing what is wrong. */
  readonly validate: (object: KubeObject) => void;
  /** Module and interface of the object's TypeScript type, for the unknown-field check. */
  readonly typeModule: string;
  readonly typeName: string;
}

type ModelClass = new (data: never) => { validate(): void };

function known(model: ModelClass, typeModule: string, typeName: string): KnownKind {
  return {
    validate: (object) => new model(object as never).validate(),
    typeModule,
    typeName,
  };
}

/** Every kind the overlays may render that Kubernetes or KEDA publish a schema for. */
export const KNOWN_KINDS: Readonly<Record<string, KnownKind>> = {
  'apps/v1/Deployment': known(Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'v1/Service': known(Service, 'kubernetes-models/v1/Service', 'IService'),
  'v1/ConfigMap': known(ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/PersistentVolumeClaim': known(
    PersistentVolumeClaim,
    'kubernetes-models/v1/PersistentVolumeClaim',
    'IPersistentVolumeClaim',
  ),
  'policy/v1/PodDisruptionBudget': known(
    PodDisruptionBudget,
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ),
  'networking.k8s.io/v1/NetworkPolicy': known(
    NetworkPolicy,
    'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    'INetworkPolicy',
  ),
  'keda.sh/v1alpha1/ScaledObject': known(
    ScaledObject,
    '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    'IScaledObject',
  ),
  'keda.sh/v1alpha1/TriggerAuthentication': known(
    TriggerAuthentication,
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    'ITriggerAuthentication',
  ),
};

export function kindKey(object: KubeObject): string {
  return `${object.apiVersion}/${object.kind}`;
}
