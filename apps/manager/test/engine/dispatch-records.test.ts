import { Logger } from '@nestjs/common';
import { deferred } from '@org/testkit';
import { type ConfirmedJob, DispatchRecords } from '../../src/requests/dispatch/dispatch-records';
import { type PendingEvent } from '../../src/requests/engine/effects';
import { type DispatchKey } from '../../src/requests/store/dispatch.repository';

function job(id: string, confirmedAt = Date.now()): ConfirmedJob {
  const granted = { event: { requestId: id, state: 'GRANTED' } } as unknown as PendingEvent;
  return { id, attempt: 1, granted, confirmedAt };
}

/** A sink that records what it was asked, and reports every key as still TO_DISPATCH. */
function sink() {
  const marked: string[][] = [];
  const informed: string[] = [];
  const runs: Array<Promise<unknown>> = [];
  let next = deferred<void>();
  return {
    marked,
    informed,
    runs,
    /** Resolves at the next markDispatched call. */
    nextMark: () => next.promise,
    markDispatched: (keys: readonly DispatchKey[]) => {
      marked.push(keys.map((key) => key.id));
      next.resolve();
      next = deferred<void>();
      return Promise.resolve(new Set(keys.map((key) => key.id)));
    },
    inform: (events: readonly PendingEvent[]) => {
      informed.push(...events.map((event) => event.event.requestId));
    },
    track: (run: Promise<unknown>) => {
      runs.push(run);
    },
  };
}

describe('DispatchRecords (WM_DISPATCHED_AFTER_MS)', () => {
  const logger = new Logger('test');

  it('records the jobs still owed once the delay passed, not those settled meanwhile', async () => {
    const fake = sink();
    const records = new DispatchRecords(40, fake, logger);
    await records.confirmed([job('a'), job('b'), job('c')]);
    records.settled(['b']);
    expect(records.owes('a', 1)).toBe(true);
    expect(records.owes('b', 1)).toBe(false);
    expect(records.keys().map((key) => key.id)).toEqual(['a', 'c']);
    await fake.nextMark();
    await Promise.all(fake.runs);
    expect(fake.marked).toEqual([['a', 'c']]);
    expect(fake.informed).toEqual(['a', 'c']);
    expect(records.keys()).toEqual([]);
    await records.stop();
  });

  it('records at once with a delay of 0, and everything owed when it stops', async () => {
    const now = sink();
    await new DispatchRecords(0, now, logger).confirmed([job('x')]);
    expect(now.marked).toEqual([['x']]);

    const later = sink();
    const records = new DispatchRecords(60_000, later, logger);
    await records.confirmed([job('y'), job('z')]);
    expect(later.marked).toEqual([]);
    await records.stop();
    expect(later.marked).toEqual([['y', 'z']]);
    expect(later.informed).toEqual(['y', 'z']);
  });

  it('sends GRANTED only for the rows the record found still TO_DISPATCH', async () => {
    const fake = sink();
    const answered = {
      ...fake,
      markDispatched: (keys: readonly DispatchKey[]) =>
        fake.markDispatched(keys).then(() => new Set(['kept'])),
    };
    const records = new DispatchRecords(60_000, answered, logger);
    await records.confirmed([job('kept'), job('answered-elsewhere')]);
    await records.stop();
    expect(fake.informed).toEqual(['kept']);
  });
});
