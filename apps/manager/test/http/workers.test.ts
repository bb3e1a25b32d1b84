import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';
import { startTestWorker } from '../support/harness';
import { type HttpFixture, createHttpFixture, seedRequests } from './http-support';

const config = {
  workers: [
    { type: 'wk-live', contentTypes: ['wk/live'] },
    { type: 'wk-idle', contentTypes: ['wk/idle'] },
  ],
  workflows: [{ type: 'wk/flow', steps: ['wk-live', 'wk-idle'] }],
};

describe('REST workers', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
    fx.ns.workerTypes.add('wk-live').add('wk-idle');
  });
  afterAll(() => fx?.ns.cleanup());

  it('lists each type with its instances, liveness, content types, waiting count and oldest wait', async () => {
    const worker = await startTestWorker(fx.ns, { type: 'wk-live' }, [fx.manager]);
    await seedRequests(fx.db, {
      prefix: 'wait',
      count: 7,
      state: 'NO_WORKER_AVAILABLE',
      workerType: 'wk-idle',
      createdStart: new Date(Date.now() - 3_600_000),
    });
    const response = await fx.http.get('/api/v1/workers').expect(200);
    const byType = new Map(
      (response.body as Array<{ type: string }>).map((view) => [view.type, view]),
    );
    expect(byType.get('wk-live')).toMatchObject({
      configured: true,
      contentTypes: ['wk/live'],
      workflows: ['wk/flow'],
      available: true,
      liveInstances: 1,
      waiting: 0,
      oldestWaitSeconds: null,
      instances: [expect.objectContaining({ id: worker.id, status: 'ready', live: true })],
    });
    const idle = byType.get('wk-idle') as unknown as {
      available: boolean;
      waiting: number;
      oldestWaitSeconds: number;
      instances: unknown[];
    };
    expect(idle).toMatchObject({ available: false, liveInstances: 0, waiting: 7, instances: [] });
    expect(idle.oldestWaitSeconds).toBeGreaterThan(3500);
    expect(fx.manager.app.get(WorkerCatalogue).isAvailable('wk-live')).toBe(true);
  });
});
