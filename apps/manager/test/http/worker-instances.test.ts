import { hostname } from 'node:os';
import { IsBoolean, IsOptional, IsString, Min } from 'class-validator';
import request from 'supertest';
import { deferred, useTestNamespace, waitFor, type TestNamespace } from '@org/testkit';
import { createWorker, type Worker } from '@org/worker-sdk';
import { type RunningManager } from '../../src/start-manager';
import { PayloadSchemas } from '../../src/workers/payload-schemas.service';
import { WorkerRegistry } from '../../src/workers/worker-registry.service';
import { startHttpManager } from './http-support';

const TYPE = 'wi-products';
const config = { workers: [{ type: TYPE, contentTypes: ['wi/product'] }] };
const FAST_LIVENESS = { heartbeatExpiryMs: 3000, livenessPollMs: 50 };

class ProductPayload {
  @IsString() id!: string;
  @Min(0) price!: number;
  @IsOptional() @IsBoolean() hold?: boolean;
}

interface InstanceView {
  id: string;
  status: string;
  live: boolean;
  version?: string;
  host?: string;
  pid?: number;
  concurrency?: number;
  inFlight?: number;
  processed?: number;
}

interface TypeView {
  type: string;
  available: boolean;
  liveInstances: number;
  capacity: number;
  registration: {
    description: string | null;
    version: string | null;
    schema: { properties?: Record<string, unknown> } | null;
  } | null;
  instances: InstanceView[];
}

/** An SDK worker for TYPE that holds the jobs whose payload says `hold` until released. */
async function startProductWorker(ns: TestNamespace, release: Promise<void>): Promise<Worker> {
  ns.workerTypes.add(TYPE);
  const worker = createWorker({
    type: TYPE,
    payload: ProductPayload,
    version: '3.1.4',
    description: 'describes products',
    concurrency: 2,
    amqpUrl: ns.amqpUrl,
    namespace: ns.name,
    heartbeatIntervalMs: 200,
    shutdownGraceMs: 1000,
    handleSignals: false,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message) => console.error(message),
      isLevelEnabled: () => false,
    },
    handler: async (job, ctx) => {
      if (job.json<ProductPayload>().hold) await release;
      return ctx.success({ json: { ok: true } });
    },
  });
  await worker.start();
  ns.defer(() => worker.stop());
  return worker;
}

async function typeView(manager: RunningManager): Promise<TypeView | undefined> {
  const response = await request(manager.app.getHttpServer()).get('/api/v1/workers').expect(200);
  return (response.body as TypeView[]).find((view) => view.type === TYPE);
}

describe('REST workers: instances, registrations, drain and resume', () => {
  const ns = useTestNamespace('wi');

  it('shows per-instance stats from heartbeats, and drains and resumes one instance through its control queue', async () => {
    const manager = await startHttpManager(ns(), config, FAST_LIVENESS);
    const http = request(manager.app.getHttpServer());
    const release = deferred();
    ns().defer(() => release.resolve());
    const worker = await startProductWorker(ns(), release.promise);

    for (const id of ['p1', 'p2', 'p3'])
      await http
        .post('/api/v1/requests')
        .send({ contentType: 'wi/product', payload: { id, price: 1 } })
        .expect(202);
    await waitFor(async () => (await typeView(manager))?.instances[0]?.processed === 3, {
      what: '3 jobs processed in the heartbeat stats',
    });
    await http
      .post('/api/v1/requests')
      .send({ contentType: 'wi/product', payload: { id: 'p4', price: 1, hold: true } })
      .expect(202);
    const view = await waitFor(
      async () => {
        const current = await typeView(manager);
        return current?.instances[0]?.inFlight === 1 ? current : undefined;
      },
      { what: 'one job in flight in the heartbeat stats' },
    );
    expect(view).toMatchObject({
      available: true,
      liveInstances: 1,
      capacity: 2,
      registration: { description: 'describes products', version: '3.1.4' },
    });
    expect(view.instances).toEqual([
      expect.objectContaining({
        id: worker.instanceId,
        status: 'ready',
        live: true,
        version: '3.1.4',
        host: hostname(),
        pid: process.pid,
        concurrency: 2,
        inFlight: 1,
        processed: 3,
      }),
    ]);

    const route = `/api/v1/workers/${TYPE}/instances/${worker.instanceId}`;
    await http
      .post(`${route}/drain`)
      .expect(202, { type: TYPE, id: worker.instanceId, order: 'drain' });
    const drained = await waitFor(
      async () => {
        const current = await typeView(manager);
        // The instance list is read from the database, availability from the catalogue, which
        // refreshes a moment after the heartbeat that says draining: wait for both.
        return current?.instances[0]?.status === 'draining' && !current.available
          ? current
          : undefined;
      },
      { what: 'instance draining and the type unavailable' },
    );
    expect(drained).toMatchObject({ available: false, liveInstances: 0, capacity: 0 });
    expect(worker.stats().status).toBe('draining');

    await http.post(`${route}/resume`).expect(202);
    await waitFor(
      async () => {
        const current = await typeView(manager);
        return current?.instances[0]?.status === 'ready' && current.available;
      },
      { what: 'instance ready again' },
    );

    const missing = await http.post(`/api/v1/workers/${TYPE}/instances/nobody/drain`).expect(404);
    expect(missing.body).toMatchObject({ code: 'not_found' });
    await http.post(`/api/v1/workers/other-type/instances/${worker.instanceId}/resume`).expect(404);
    release.resolve();
  });

  it('keeps the registration (description, version, payload schema) across a manager restart', async () => {
    const first = await startHttpManager(ns(), config, FAST_LIVENESS);
    const release = deferred();
    release.resolve();
    const worker = await startProductWorker(ns(), release.promise);
    await waitFor(() => first.app.get(WorkerRegistry).get(TYPE), { what: 'registration stored' });
    await worker.stop();
    await first.close();

    const second = await startHttpManager(ns(), config, FAST_LIVENESS);
    const view = await typeView(second);
    expect(view).toMatchObject({
      available: false,
      registration: { description: 'describes products', version: '3.1.4' },
    });
    expect(Object.keys(view!.registration!.schema!.properties!).sort()).toEqual([
      'hold',
      'id',
      'price',
    ]);
    expect(
      second.app
        .get(PayloadSchemas)
        .validate(TYPE, Buffer.from(JSON.stringify({ price: -1 })), 'application/json'),
    ).toEqual(
      expect.arrayContaining([
        { path: '$.id', message: 'is required' },
        { path: '$.price', message: 'must be >= 0' },
      ]),
    );
  });
});
