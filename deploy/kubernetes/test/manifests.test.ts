import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '@org/protocol';
import { DEPLOYMENT, WORKER_TYPES } from '../src/worker-types';
import { customResourceProblems } from './support/custom-resources';
import { idOf, kubectl, MANIFESTS, OVERLAYS, render, type KubeObject } from './support/render';
import { KNOWN_KINDS, kindKey } from './support/schemas';
import { unknownFields } from './support/unknown-fields';
import { all, one, selects } from './support/views';

const binary = kubectl();
if (!binary) {
  // .ci/run installs kubectl (Debian's kubernetes-client); elsewhere say why nothing ran.
  process.stdout.write('Kubernetes manifest tests skipped: kubectl is not installed\n');
}

const rendered = new Map<string, KubeObject[]>();
// One compiler run for every overlay and for the deliberately broken objects below: loading the
// type definitions is what takes the time.
let unknown: string[] = [];
const DEPLOYMENT_KIND = KNOWN_KINDS['apps/v1/Deployment']!;

/** Two copies of the dev manager Deployment, each with one misspelt field. */
function misspelt(objects: KubeObject[]): KubeObject[] {
  const manager = one(objects, 'Deployment', 'wm-manager');
  const inContainer = structuredClone(manager);
  Object.assign(inContainer.spec!.template.spec!.containers[0]!, { imagePullPolicyy: 'Always' });
  const inSpec = structuredClone(manager);
  Object.assign(inSpec.spec!, { replica: 2 });
  return [inContainer, inSpec] as unknown as KubeObject[];
}

if (binary) {
  beforeAll(() => {
    for (const overlay of OVERLAYS) {
      rendered.set(overlay, render(join(MANIFESTS, 'overlays', overlay)));
    }
    const typed = OVERLAYS.flatMap((overlay) =>
      rendered.get(overlay)!.flatMap((object) => {
        const kind = KNOWN_KINDS[kindKey(object)];
        return kind ? [{ object, kind, label: `${overlay}:${idOf(object)}` }] : [];
      }),
    );
    const broken = misspelt(rendered.get('dev')!).map((object, index) => ({
      object,
      kind: DEPLOYMENT_KIND,
      label: `misspelt-${index}`,
    }));
    unknown = unknownFields([...typed, ...broken]);
  });
}

(binary ? describe : describe.skip).each(OVERLAYS)('overlay %s', (overlay) => {
  let objects: KubeObject[] = [];

  beforeAll(() => {
    objects = rendered.get(overlay)!;
  });

  it('renders only kinds with a schema, each valid, with no unknown field', () => {
    const problems: string[] = [];
    for (const object of objects) {
      const kind = KNOWN_KINDS[kindKey(object)];
      if (kind) {
        try {
          kind.validate(object);
        } catch (error) {
          problems.push(`${idOf(object)}: ${(error as Error).message}`);
        }
        continue;
      }
      const custom = customResourceProblems(object);
      if (custom === undefined) problems.push(`${idOf(object)}: no schema for ${kindKey(object)}`);
      else problems.push(...custom.map((problem) => `${idOf(object)}: ${problem}`));
    }
    problems.push(...unknown.filter((message) => message.startsWith(`${overlay}:`)));
    expect(problems).toEqual([]);
    expect(objects.length).toBeGreaterThan(10);
  });

  it('puts every object in the namespace and defines no Secret', () => {
    expect(objects.filter((o) => o.metadata.namespace !== DEPLOYMENT.kubernetesNamespace)).toEqual(
      [],
    );
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // Anything that looks like a credential comes from a Secret, by reference.
    const literal = all(objects, 'Deployment').flatMap((deployment) =>
      (deployment.spec?.template.spec?.containers ?? []).flatMap((container) =>
        (container.env ?? [])
          .filter((variable) => /URL|KEY|PASSWORD|SECRET/.test(variable.name))
          .filter((variable) => variable.valueFrom?.secretKeyRef === undefined)
          .map((variable) => `${deployment.metadata?.name}: ${variable.name}`),
      ),
    );
    expect(literal).toEqual([]);
  });

  it('runs every listed worker type: Deployment, two-trigger ScaledObject, PDB', () => {
    const auths = all(objects, 'TriggerAuthentication').map((auth) => auth.metadata?.name);
    const workers = all(objects, 'Deployment').filter(
      (d) => d.metadata?.labels?.['app.kubernetes.io/component'] === 'worker',
    );
    expect(workers.map((d) => d.metadata?.labels?.['app.kubernetes.io/name']).sort()).toEqual(
      WORKER_TYPES.map((spec) => spec.type).sort(),
    );
    const service = one(objects, 'Service', DEPLOYMENT.managerService);
    const managerUrl = `http://${service.metadata?.name}.${service.metadata?.namespace}.svc.cluster.local:${service.spec?.ports?.[0]?.port}`;
    for (const spec of WORKER_TYPES) {
      const deployment = workers.find(
        (d) => d.metadata?.labels?.['app.kubernetes.io/name'] === spec.type,
      )!;
      const podLabels = deployment.spec?.template.metadata?.labels;
      // KEDA owns the replica count.
      expect(deployment.spec?.replicas).toBeUndefined();
      const scaled = all(objects, 'ScaledObject').find(
        (s) => s.spec.scaleTargetRef.name === deployment.metadata?.name,
      );
      expect(scaled?.spec.triggers).toHaveLength(2);
      const [queue, waiting] = scaled!.spec.triggers;
      expect(queue).toMatchObject({
        type: 'rabbitmq',
        metadata: {
          protocol: 'http',
          mode: 'QueueLength',
          queueName: `${DEPLOYMENT.wmNamespace}.worker.${spec.type}`,
        },
      });
      expect(waiting).toMatchObject({
        type: 'metrics-api',
        metadata: {
          url: `${managerUrl}/api/v1/scaling/${spec.type}`,
          valueLocation: 'waitingRequests',
          authMode: 'apiKey',
          method: 'header',
          keyParamName: 'X-API-Key',
        },
      });
      for (const trigger of scaled!.spec.triggers) {
        expect(auths).toContain(trigger.authenticationRef?.name);
      }
      expect(
        all(objects, 'PodDisruptionBudget').some((budget) =>
          selects(budget.spec?.selector?.matchLabels, podLabels),
        ),
      ).toBe(true);
      // A stopping worker finishes its jobs (SDK grace, 30 s by default) before it is killed.
      expect(deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBeGreaterThan(
        spec.shutdownGraceSeconds ?? 30,
      );
    }
  });

  it('runs the manager with probes, a budget, a grace period longer than its drain', () => {
    const manager = one(objects, 'Deployment', 'wm-manager');
    const settings = one(objects, 'ConfigMap', 'wm-settings').data ?? {};
    const pod = manager.spec!.template;
    const container = pod.spec!.containers[0]!;
    expect(manager.spec?.replicas).toBeGreaterThanOrEqual(1);
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.resources?.requests).toBeDefined();
    expect(container.resources?.limits?.['memory']).toBeDefined();
    // The manager's whole stop: WM_SHUTDOWN_TIMEOUT_MS for HTTP calls, then 5 s more at most.
    const drainSeconds = Number(settings['WM_SHUTDOWN_TIMEOUT_MS']) / 1000 + 5;
    expect(pod.spec?.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds);
    expect((container.env ?? []).map((variable) => variable.name)).toEqual(
      expect.arrayContaining(['AMQP_URL', 'DATABASE_URL', 'DATABASE_DIRECT_URL', 'WM_API_KEYS']),
    );
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'wm-settings' } }]);
    expect(settings['WM_DATABASE_POOLER']).toBe('transaction');
    expect(
      all(objects, 'PodDisruptionBudget').some((budget) =>
        selects(budget.spec?.selector?.matchLabels, pod.metadata?.labels),
      ),
    ).toBe(true);
    const service = one(objects, 'Service', DEPLOYMENT.managerService);
    expect(selects(service.spec?.selector, pod.metadata?.labels)).toBe(true);
    // The routing configuration is valid and routes every deployed worker type.
    const routing = one(objects, 'ConfigMap', 'wm-routing').data?.['manager.yaml'];
    const config = validateConfig(parse(String(routing)));
    expect(config.ok && config.value.workers.map((worker) => worker.type).sort()).toEqual(
      WORKER_TYPES.map((spec) => spec.type).sort(),
    );
  });

  it('lets workers reach only the broker, and the manager the broker and the database', () => {
    const policies = all(objects, 'NetworkPolicy');
    const policyFor = (component: string) =>
      policies.find(
        (p) => p.spec?.podSelector.matchLabels?.['app.kubernetes.io/component'] === component,
      )!;
    const peerLabels = (component: string) =>
      (policyFor(component).spec?.egress ?? [])
        .flatMap((rule) => rule.to ?? [])
        .map((peer) => peer.podSelector?.matchLabels ?? {})
        .filter((labels) => labels['k8s-app'] !== 'kube-dns');
    const workers = policyFor('worker');
    expect(workers.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(workers.spec?.ingress ?? []).toEqual([]);
    expect(peerLabels('worker')).toEqual([{ 'app.kubernetes.io/name': 'wm-rabbitmq' }]);
    const manager = policyFor('manager');
    expect(manager.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(peerLabels('manager')).toEqual([
      { 'app.kubernetes.io/name': 'wm-rabbitmq' },
      { 'cnpg.io/cluster': 'wm-postgres' },
      { 'cnpg.io/poolerName': 'wm-postgres-pooler' },
    ]);
    expect(
      (manager.spec?.ingress ?? []).flatMap((rule) => (rule.ports ?? []).map((p) => p.port)),
    ).toEqual([3000]);
  });

  it('includes the example RabbitMQ (3 nodes) and PostgreSQL with a transaction pooler', () => {
    expect(one(objects, 'RabbitmqCluster', 'wm-rabbitmq').spec.replicas).toBe(3);
    expect(one(objects, 'Pooler', 'wm-postgres-pooler').spec.pgbouncer.poolMode).toBe(
      'transaction',
    );
  });
});

describe('the manifest checks themselves', () => {
  (binary ? it : it.skip)('catch a misspelt field at any depth, and a wrong type', () => {
    expect(unknown.filter((message) => message.startsWith('misspelt-'))).toEqual([
      expect.stringMatching(
        /^misspelt-0: .*'"imagePullPolicyy"' does not exist in type 'IContainer'/,
      ),
      expect.stringMatching(/^misspelt-1: .*'"replica"' does not exist in type 'IDeploymentSpec'/),
    ]);
    const manager = one(rendered.get('dev')!, 'Deployment', 'wm-manager');
    const wrongType = structuredClone(manager);
    Object.assign(wrongType.spec!.template.spec!, { terminationGracePeriodSeconds: 'forty' });
    expect(() => DEPLOYMENT_KIND.validate(wrongType as unknown as KubeObject)).toThrow(
      /terminationGracePeriodSeconds/,
    );
  });

  it('catch an unknown field in a custom resource', () => {
    expect(
      customResourceProblems({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: { name: 'p' },
        spec: { cluster: { name: 'c' }, pgbouncer: { poolMode: 'transactions', poolSize: 3 } },
      }),
    ).toEqual([
      '.spec.pgbouncer.poolMode: must be one of session, transaction',
      '.spec.pgbouncer.poolSize: unknown field',
    ]);
  });
});
