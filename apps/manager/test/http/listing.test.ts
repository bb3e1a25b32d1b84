import { type HttpFixture, createHttpFixture, expectProblem, seedRequests } from './http-support';

const config = {
  workers: [
    { type: 'ls-a', contentTypes: ['ls/a'] },
    { type: 'ls-b', contentTypes: ['ls/b'] },
  ],
};
const start = new Date('2026-01-01T00:00:00Z');

/** A known data set: 120 ERROR of ls-a for tenant acme, 80 RUNNING of ls-b for tenant beta, 30 CANCELLED of ls-a. */
describe('REST listing: filters, sort, cursor paging, counts', () => {
  let fx: HttpFixture;

  beforeAll(async () => {
    fx = await createHttpFixture(config);
    fx.ns.workerTypes.add('ls-a').add('ls-b');
    await seedRequests(fx.db, {
      prefix: 'err',
      count: 120,
      state: 'ERROR',
      workerType: 'ls-a',
      contentType: 'ls/a',
      tenant: 'acme',
      owner: 'ann',
      createdStart: start,
    });
    await seedRequests(fx.db, {
      prefix: 'run',
      count: 80,
      state: 'RUNNING',
      workerType: 'ls-b',
      contentType: 'ls/b',
      tenant: 'beta',
      session: 's-9',
      createdStart: new Date(start.getTime() + 500_000),
    });
    await seedRequests(fx.db, {
      prefix: 'can',
      count: 30,
      state: 'CANCELLED',
      workerType: 'ls-a',
      contentType: 'ls/a',
      workflow: 'ls/flow',
      tenant: 'acme',
      createdStart: new Date(start.getTime() + 1_000_000),
    });
  });
  afterAll(() => fx?.ns.cleanup());

  /** Every id of a listing, following nextCursor to the end; checks no page is larger than `limit`. */
  async function walk(query: Record<string, string | number>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const response = await fx.http
        .get('/api/v1/requests')
        .query({ ...query, ...(cursor ? { cursor } : {}), counts: 'false' })
        .expect(200);
      expect(response.body.items.length).toBeLessThanOrEqual(Number(query['limit'] ?? 50));
      ids.push(...(response.body.items as Array<{ id: string }>).map((item) => item.id));
      cursor = response.body.nextCursor ?? undefined;
      if (!cursor) return ids;
    }
    throw new Error('paging did not end');
  }

  it('pages through everything exactly once, newest first by default', async () => {
    const ids = await walk({ limit: 37 });
    expect(ids).toHaveLength(230);
    expect(new Set(ids).size).toBe(230);
    expect(ids[0]).toBe('can-00030');
    expect(ids[ids.length - 1]).toBe('err-00001');
  });

  it('sorts oldest first on request and keeps exact order across pages', async () => {
    const ids = await walk({ sort: 'createdAt', limit: 50 });
    const expected = [
      ...Array.from({ length: 120 }, (_, i) => `err-${String(i + 1).padStart(5, '0')}`),
      ...Array.from({ length: 80 }, (_, i) => `run-${String(i + 1).padStart(5, '0')}`),
      ...Array.from({ length: 30 }, (_, i) => `can-${String(i + 1).padStart(5, '0')}`),
    ];
    expect(ids).toEqual(expected);
  });

  it.each([
    [{ state: 'ERROR' }, 120],
    [{ state: 'ERROR,CANCELLED' }, 150],
    [{ workerType: 'ls-a' }, 150],
    [{ contentType: 'ls/b' }, 80],
    [{ workflow: 'ls/flow' }, 30],
    [{ tenant: 'acme', state: 'CANCELLED' }, 30],
    [{ owner: 'ann' }, 120],
    [{ session: 's-9' }, 80],
    // err-00001..00120 are created at start + 1..120 s: [start+10s, start+20s) holds 10 of them.
    [
      {
        createdFrom: new Date(start.getTime() + 10_000).toISOString(),
        createdTo: new Date(start.getTime() + 20_000).toISOString(),
      },
      10,
    ],
  ])('filters %j', async (filter, expected) => {
    const ids = await walk({ ...filter, limit: 500 });
    expect(ids).toHaveLength(expected);
  });

  it('repeated parameters mean several states', async () => {
    const response = await fx.http
      .get('/api/v1/requests?state=RUNNING&state=CANCELLED&limit=500&counts=false')
      .expect(200);
    expect(response.body.items).toHaveLength(110);
  });

  it('counts by state under the filters, ignoring the state filter', async () => {
    const response = await fx.http
      .get('/api/v1/requests')
      .query({ tenant: 'acme', state: 'ERROR', limit: 1 })
      .expect(200);
    expect(response.body.counts).toEqual({
      byState: {
        TO_DISPATCH: 0,
        NO_WORKER_AVAILABLE: 0,
        QUEUED: 0,
        SCHEDULED: 0,
        DISPATCHED: 0,
        RUNNING: 0,
        SUCCESS: 0,
        ERROR: 120,
        INVALID_CONTENT: 0,
        CANCELLED: 30,
      },
      total: 150,
    });
    expect(response.body.items[0]).toMatchObject({
      id: 'err-00120',
      state: 'ERROR',
      tenant: 'acme',
      messages: ['seeded failure'],
    });
  });

  it.each([
    [{ state: 'DONE' }, 'state'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '501' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ sort: 'owner' }, 'sort'],
    [{ createdFrom: 'yesterday' }, 'createdFrom'],
    [{ workerType: 'Not A Type' }, 'workerType'],
    [{ colour: 'red' }, 'colour'],
    [{ cursor: 'garbage' }, 'cursor'],
  ])('refuses %j with 400 at %s', async (query, path) => {
    const response = await fx.http.get('/api/v1/requests').query(query).expect(400);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await fx.http
      .get('/api/v1/requests')
      .query({ limit: 1, counts: 'false' })
      .expect(200);
    const response = await fx.http
      .get('/api/v1/requests')
      .query({ sort: 'createdAt', cursor: first.body.nextCursor })
      .expect(400);
    expect(response.body.detail).toContain('sort');
  });
});
