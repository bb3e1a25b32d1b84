import { type DispatchPolicy } from '@org/protocol';
import { type Tx } from '../../src/database/database.service';
import { ByteBudget } from '../../src/requests/dispatch/byte-budget';
import { HeldJobs } from '../../src/requests/dispatch/held-jobs';
import { type ArrivingRequest, WindowClaims } from '../../src/requests/dispatch/window-claims';
import { type RequestRow } from '../../src/requests/engine/request-row';
import { type DispatchRepository } from '../../src/requests/store/dispatch.repository';
import { type RequestsRepository } from '../../src/requests/store/requests.repository';

const POLICY: DispatchPolicy = {
  maxInFlight: undefined,
  rateLimit: undefined,
  fairness: 'none',
  validatePayload: false,
};

/** A new request as intake admits it: QUEUED, never dispatched. */
function arrival(id: string, priority = 0, size = 10): ArrivingRequest {
  const row = {
    id,
    state: 'QUEUED',
    attempt: 0,
    cycle_attempts: 0,
    worker_id: null,
    messages: [],
    priority,
    worker_type: 'w',
    steps: ['w'],
    step: 0,
  } as unknown as RequestRow;
  return { row, input: Buffer.alloc(size) };
}

/** A transaction whose rollback can be played, and a repository answering the claim's reads. */
function setting(state: { outstanding: number; backlog: boolean; window: number }) {
  const undos: Array<() => void> = [];
  const tx = { onRollback: (undo: () => void) => undos.push(undo) } as unknown as Tx;
  const repository = {
    lockType: () => Promise.resolve(),
    control: () => Promise.resolve(undefined),
    hasBacklog: () => Promise.resolve(state.backlog),
    outstanding: () => Promise.resolve(state.outstanding),
    saveTokens: () => Promise.resolve(),
  } as unknown as DispatchRepository;
  const budget = new ByteBudget(1000);
  const held = new HeldJobs();
  const claims = new WindowClaims(repository, {} as RequestsRepository, {
    budget,
    held,
    leaseMs: 30_000,
    isOpen: () => true,
    windowOf: () => state.window,
    retryLater: () => undefined,
    whenBudgetFrees: () => undefined,
  });
  const rollback = () => undos.splice(0).forEach((undo) => undo());
  return { tx, claims, budget, held, rollback };
}

describe('WindowClaims: requests claimed as they arrive', () => {
  it('claims what the window has room for, highest priority first, as first attempts', async () => {
    const { tx, claims, budget } = setting({ outstanding: 1, backlog: false, window: 3 });
    const arrivals = [arrival('low-1'), arrival('high', 9), arrival('low-2')];
    const claim = await claims.claimArrivals(tx, 'w', POLICY, arrivals);
    expect(claim?.chosen.map(({ row }) => row.id)).toEqual(['high', 'low-1']);
    expect(claim?.chosen.map(({ row }) => [row.state, row.attempt, row.cycle_attempts])).toEqual([
      ['TO_DISPATCH', 1, 1],
      ['TO_DISPATCH', 1, 1],
    ]);
    expect(arrivals[2]!.row.state).toBe('QUEUED');
    expect(budget.inUse()).toBe(20);
  });

  it('puts the rows back as they were when the transaction rolls back, so a rerun claims them again', async () => {
    const { tx, claims, budget, rollback } = setting({ outstanding: 0, backlog: false, window: 4 });
    const arrivals = [arrival('a'), arrival('b')];
    await claims.claimArrivals(tx, 'w', POLICY, arrivals);
    rollback();
    expect(arrivals.map(({ row }) => [row.state, row.attempt, row.cycle_attempts])).toEqual([
      ['QUEUED', 0, 0],
      ['QUEUED', 0, 0],
    ]);
    expect(budget.inUse()).toBe(0);
    const again = await claims.claimArrivals(tx, 'w', POLICY, arrivals);
    expect(again?.chosen).toHaveLength(2);
  });

  it('leaves a type with requests waiting, or a fair type with less room than arrivals, to the usual claim', async () => {
    const waiting = setting({ outstanding: 0, backlog: true, window: 4 });
    expect(await waiting.claims.claimArrivals(waiting.tx, 'w', POLICY, [arrival('a')])).toBe(
      undefined,
    );
    const fair = setting({ outstanding: 3, backlog: false, window: 4 });
    const fairPolicy: DispatchPolicy = { ...POLICY, fairness: 'tenant' };
    expect(
      await fair.claims.claimArrivals(fair.tx, 'w', fairPolicy, [arrival('a'), arrival('b')]),
    ).toBe(undefined);
  });

  it('claims none when the window is full, and holds only the arrivals that were inserted', async () => {
    const full = setting({ outstanding: 4, backlog: false, window: 4 });
    const none = await full.claims.claimArrivals(full.tx, 'w', POLICY, [arrival('a')]);
    expect(none?.chosen).toEqual([]);

    const { tx, claims, held } = setting({ outstanding: 0, backlog: false, window: 4 });
    const claim = (await claims.claimArrivals(tx, 'w', POLICY, [arrival('new'), arrival('dup')]))!;
    const jobs = claims.arrived(tx, [claim], new Map([['new', '41']]));
    expect(jobs.rows.map((row) => [row.id, row.seq])).toEqual([['new', '41']]);
    expect(jobs.bytes).toBe(20);
    expect(held.holds('new', 1)).toBe(true);
    expect(held.holds('dup', 1)).toBe(false);
  });
});
