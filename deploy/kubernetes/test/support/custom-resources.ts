import { type KubeObject } from './render';

/**
 * Structural checks for the custom resources no npm package publishes a schema for (RabbitMQ
 * Cluster Operator, CloudNativePG): the fields these manifests use, with their types, and no
 * other (so a typo fails). Written from the operators' CRDs; objects they leave open (resources,
 * affinity, pod templates) are only checked to be objects.
 */
type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'object'
  | { readonly enum: readonly string[] }
  | { readonly arrayOf: Shape }
  | { readonly mapOf: Shape }
  | { readonly fields: Readonly<Record<string, Shape>>; readonly required?: readonly string[] };

const quantity: Shape = 'string';
const resources: Shape = {
  fields: { requests: { mapOf: quantity }, limits: { mapOf: quantity } },
};
const metadata: Shape = {
  fields: {
    name: 'string',
    namespace: 'string',
    labels: { mapOf: 'string' },
    annotations: { mapOf: 'string' },
  },
  required: ['name'],
};

function resource(apiVersion: string, kind: string, spec: Shape): Shape {
  return {
    fields: {
      apiVersion: { enum: [apiVersion] },
      kind: { enum: [kind] },
      metadata,
      spec,
    },
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
  };
}

/** rabbitmq.com/v1beta1 RabbitmqCluster (cluster-operator 2.x). */
const rabbitmqCluster = resource('rabbitmq.com/v1beta1', 'RabbitmqCluster', {
  fields: {
    replicas: 'integer',
    image: 'string',
    imagePullSecrets: { arrayOf: { fields: { name: 'string' } } },
    service: { fields: { type: 'string', annotations: { mapOf: 'string' } } },
    persistence: { fields: { storageClassName: 'string', storage: quantity } },
    resources,
    affinity: 'object',
    tolerations: { arrayOf: 'object' },
    rabbitmq: {
      fields: {
        additionalPlugins: { arrayOf: 'string' },
        additionalConfig: 'string',
        advancedConfig: 'string',
        envConfig: 'string',
        erlangInetConfig: 'string',
      },
    },
    tls: 'object',
    override: 'object',
    skipPostDeploySteps: 'boolean',
    terminationGracePeriodSeconds: 'integer',
    delayStartSeconds: 'integer',
    secretBackend: 'object',
  },
});

/** postgresql.cnpg.io/v1 Cluster. */
const cnpgCluster = resource('postgresql.cnpg.io/v1', 'Cluster', {
  fields: {
    instances: 'integer',
    imageName: 'string',
    bootstrap: {
      fields: {
        initdb: {
          fields: {
            database: 'string',
            owner: 'string',
            secret: { fields: { name: 'string' }, required: ['name'] },
            postInitApplicationSQL: { arrayOf: 'string' },
          },
        },
      },
    },
    postgresql: {
      fields: { parameters: { mapOf: 'string' }, pg_hba: { arrayOf: 'string' } },
    },
    resources,
    storage: {
      fields: { size: quantity, storageClass: 'string' },
      required: ['size'],
    },
    walStorage: { fields: { size: quantity, storageClass: 'string' } },
    affinity: 'object',
    monitoring: 'object',
    backup: 'object',
    superuserSecret: { fields: { name: 'string' } },
    enableSuperuserAccess: 'boolean',
    primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
  },
  required: ['instances', 'storage'],
});

/** postgresql.cnpg.io/v1 Pooler. */
const cnpgPooler = resource('postgresql.cnpg.io/v1', 'Pooler', {
  fields: {
    cluster: { fields: { name: 'string' }, required: ['name'] },
    instances: 'integer',
    type: { enum: ['rw', 'ro'] },
    pgbouncer: {
      fields: {
        poolMode: { enum: ['session', 'transaction'] },
        parameters: { mapOf: 'string' },
        authQuery: 'string',
        authQuerySecret: { fields: { name: 'string' } },
        paused: 'boolean',
      },
      required: ['poolMode'],
    },
    template: 'object',
    monitoring: 'object',
    deploymentStrategy: 'object',
  },
  required: ['cluster', 'pgbouncer'],
});

/** The custom resources checked here, by `apiVersion/kind`. */
export const CUSTOM_RESOURCES: Readonly<Record<string, Shape>> = {
  'rabbitmq.com/v1beta1/RabbitmqCluster': rabbitmqCluster,
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  'postgresql.cnpg.io/v1/Pooler': cnpgPooler,
};

/** Every problem of `value` against `shape`, each with its path. */
export function structuralProblems(value: unknown, shape: Shape, path = ''): string[] {
  const at = path || '(root)';
  if (shape === 'string') return typeof value === 'string' ? [] : [`${at}: must be a string`];
  if (shape === 'integer') return Number.isInteger(value) ? [] : [`${at}: must be an integer`];
  if (shape === 'boolean') return typeof value === 'boolean' ? [] : [`${at}: must be a boolean`];
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (shape === 'object') return isObject ? [] : [`${at}: must be an object`];
  if ('enum' in shape) {
    return typeof value === 'string' && shape.enum.includes(value)
      ? []
      : [`${at}: must be one of ${shape.enum.join(', ')}`];
  }
  if ('arrayOf' in shape) {
    if (!Array.isArray(value)) return [`${at}: must be a list`];
    return value.flatMap((item, index) =>
      structuralProblems(item, shape.arrayOf, `${path}[${index}]`),
    );
  }
  if (!isObject) return [`${at}: must be an object`];
  const record = value as Record<string, unknown>;
  if ('mapOf' in shape) {
    return Object.entries(record).flatMap(([key, item]) =>
      structuralProblems(item, shape.mapOf, `${path}.${key}`),
    );
  }
  const problems = (shape.required ?? [])
    .filter((key) => record[key] === undefined)
    .map((key) => `${path}.${key}: is required`);
  for (const [key, item] of Object.entries(record)) {
    const field = shape.fields[key];
    if (field === undefined) problems.push(`${path}.${key}: unknown field`);
    else problems.push(...structuralProblems(item, field, `${path}.${key}`));
  }
  return problems;
}

export function customResourceProblems(object: KubeObject): string[] | undefined {
  const shape = CUSTOM_RESOURCES[`${object.apiVersion}/${object.kind}`];
  return shape === undefined ? undefined : structuralProblems(object, shape);
}
