import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RequestsService } from '../../src/requests/requests.service';
import { type HttpFixture, createHttpFixture, expectProblem, seedRequests } from './http-support';

const config = { workers: [{ type: 'bulk-worker', contentTypes: ['bulk/raw'] }] };
const ROWS = 10_000;

// A full collection before each heap reading: heapUsed without one counts whatever garbage V8 has
// not collected yet (it read 210 MB once under CI load with nothing retained).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function liveHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Bulk retry and delete over 10,000 rows: one page at a time, running requests never touched. */
describe('REST bulk retry and delete', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
    fx.ns.workerTypes.add('bulk-worker');
    await seedRequests(fx.db, {
      prefix: 'failed',
      count: ROWS,
      state: 'ERROR',
      workerType: 'bulk-worker',
      contentType: 'bulk/raw',
      tenant: 'big',
    });
    await seedRequests(fx.db, {
      prefix: 'running',
      count: 50,
      state: 'RUNNING',
      workerType: 'bulk-worker',
      contentType: 'bulk/raw',
      tenant: 'big',
    });
    await seedRequests(fx.db, {
      prefix: 'other',
      count: 20,
      state: 'ERROR',
      workerType: 'bulk-worker',
      contentType: 'bulk/raw',
      tenant: 'small',
    });
  });
  afterAll(() => fx?.ns.cleanup());

  async function countWhere(condition: string): Promise<number> {
    return (await fx.db.query(`SELECT count(*)::int AS n FROM requests WHERE ${condition}`)).rows[0]
      .n as number;
  }

  it('refuses states that are never retried or deleted, and a delete without filters', async () => {
    const retry = await fx.http
      .post('/api/v1/requests/retry')
      .query({ state: 'RUNNING' })
      .expect(400);
    expectProblem(retry, 400, 'not_eligible');
    expect(retry.body.errors).toEqual([expect.objectContaining({ path: 'state' })]);
    expectProblem(
      await fx.http.delete('/api/v1/requests').query({ state: 'ERROR,DISPATCHED' }).expect(400),
      400,
      'not_eligible',
    );
    expectProblem(await fx.http.delete('/api/v1/requests').expect(400), 400, 'validation_failed');
    expectProblem(
      await fx.http
        .post('/api/v1/requests/retry')
        .query({ tenant: 'x', colour: 'red' })
        .expect(400),
      400,
      'validation_failed',
    );
  });

  it('retries 10,000 matching requests a page at a time and answers with the count', async () => {
    const service = fx.manager.app.get(RequestsService);
    const pageSizes: number[] = [];
    const original = service.retryMany.bind(service);
    const spy = jest.spyOn(service, 'retryMany').mockImplementation((ids) => {
      pageSizes.push(ids.length);
      return original(ids);
    });
    const heapBefore = liveHeap();
    try {
      const response = await fx.http
        .post('/api/v1/requests/retry')
        .query({ tenant: 'big' })
        .expect(200);
      expect(response.body).toEqual({ count: ROWS, skipped: 0 });
    } finally {
      spy.mockRestore();
    }
    // Bounded memory: never more than one page of ids handed to the service at once, and nothing
    // of the 10,000 kept afterwards.
    expect(pageSizes).toHaveLength(ROWS / 500);
    expect(Math.max(...pageSizes)).toBe(500);
    expect(liveHeap() - heapBefore).toBeLessThan(50 * 1024 * 1024);
    // No worker is alive: every retried request waits; the running ones and the other tenant are untouched.
    expect(await countWhere(`tenant = 'big' AND state = 'NO_WORKER_AVAILABLE'`)).toBe(ROWS);
    expect(await countWhere(`state = 'RUNNING'`)).toBe(50);
    expect(await countWhere(`tenant = 'small' AND state = 'ERROR'`)).toBe(20);
  });

  it('deletes 10,000 matching requests a page at a time, with their history, and answers with the count', async () => {
    const service = fx.manager.app.get(RequestsService);
    const pageSizes: number[] = [];
    const original = service.deleteMany.bind(service);
    const spy = jest.spyOn(service, 'deleteMany').mockImplementation((ids) => {
      pageSizes.push(ids.length);
      return original(ids);
    });
    try {
      const response = await fx.http
        .delete('/api/v1/requests')
        .query({ tenant: 'big' })
        .expect(200);
      expect(response.body).toEqual({ count: ROWS, skipped: 0 });
    } finally {
      spy.mockRestore();
    }
    expect(Math.max(...pageSizes)).toBeLessThanOrEqual(500);
    expect(pageSizes.reduce((sum, size) => sum + size, 0)).toBe(ROWS);
    expect(await countWhere(`tenant = 'big'`)).toBe(50);
    expect(await countWhere(`state = 'RUNNING'`)).toBe(50);
    const orphans = await fx.db.query(
      `SELECT count(*)::int AS n FROM request_history h WHERE h.request_id LIKE 'failed-%'`,
    );
    expect(orphans.rows[0].n).toBe(0);
  });

  it('answers 0 when nothing matches', async () => {
    expect(
      (await fx.http.post('/api/v1/requests/retry').query({ tenant: 'nobody' }).expect(200)).body,
    ).toEqual({ count: 0, skipped: 0 });
    expect(
      (await fx.http.delete('/api/v1/requests').query({ tenant: 'nobody' }).expect(200)).body,
    ).toEqual({ count: 0, skipped: 0 });
  });
});
