import { NEW, REQUEST_TRANSITIONS } from '@org/protocol';
import { admissionRefusal, admit } from '../../src/requests/engine/admit';
import { claim, jobDeadline } from '../../src/requests/engine/dispatch';
import { Effects } from '../../src/requests/engine/effects';
import { expireStartBy, scheduleDue } from '../../src/requests/engine/waiting';
import { changeOf, contextOf, FINISHED, NOW, OUTSTANDING, rowOf, WAITING } from './engine-fixtures';

describe('engine: admission', () => {
  it('queues a request whose worker type is alive, and wakes its dispatcher', () => {
    const row = rowOf({ state: 'TO_DISPATCH', attempt: 0 });
    const effects = new Effects();
    admit(row, contextOf(), effects);
    expect(row.state).toBe('QUEUED');
    expect([...effects.wake]).toEqual(['mover']);
    expect(effects.events).toEqual([]);
  });

  it('NO_WORKER_AVAILABLE with DELAYED when the type is not alive', () => {
    const row = rowOf({ attempt: 0 });
    const effects = new Effects();
    admit(row, contextOf({ unavailable: ['mover'] }), effects);
    expect(row.state).toBe('NO_WORKER_AVAILABLE');
    expect(effects.events.map((pending) => pending.event.state)).toEqual(['DELAYED']);
  });

  it('SCHEDULED with a SCHEDULED event until its not-before time', () => {
    const row = rowOf({ attempt: 0, not_before: new Date(NOW + 2000) });
    const effects = new Effects();
    admit(row, contextOf(), effects);
    expect(row.state).toBe('SCHEDULED');
    expect(effects.events[0]?.event).toMatchObject({
      state: 'SCHEDULED',
      messages: ['step 0 (mover) is scheduled for 2027-03-01T12:00:02.000Z'],
    });
    expect(REQUEST_TRANSITIONS[NEW]).toContain('SCHEDULED');
  });

  it('a not-before in the past is no schedule', () => {
    const row = rowOf({ attempt: 0, not_before: new Date(NOW - 1) });
    admit(row, contextOf(), new Effects());
    expect(row.state).toBe('QUEUED');
  });

  it('refuses a deadline that passed, or a schedule after the deadline', () => {
    expect(admissionRefusal(rowOf({ start_by: new Date(NOW) }), contextOf())).toMatch(
      /^deadline passed/,
    );
    expect(
      admissionRefusal(
        rowOf({ start_by: new Date(NOW + 1000), not_before: new Date(NOW + 2000) }),
        contextOf(),
      ),
    ).toMatch(/could never run/);
    expect(
      admissionRefusal(rowOf({ start_by: new Date(NOW + 1000) }), contextOf()),
    ).toBeUndefined();
  });
});

describe('engine: dispatch', () => {
  it.each(['QUEUED', 'NO_WORKER_AVAILABLE'] as const)(
    'claims a %s row with a new attempt',
    (state) => {
      const change = changeOf({ state, attempt: 2, cycle_attempts: 0, messages: ['x'] });
      expect(claim(change)).toBe(true);
      expect(change.row).toMatchObject({
        state: 'TO_DISPATCH',
        attempt: 3,
        cycle_attempts: 1,
        messages: [],
      });
      expect(change.claimed).toBe(true);
    },
  );

  it.each([...OUTSTANDING, ...FINISHED, 'SCHEDULED' as const])('never claims a %s row', (state) => {
    const change = changeOf({ state });
    expect(claim(change)).toBe(false);
    expect(change.write).toBe('none');
  });

  it("a job's deadline is the earlier of the request's and the timeout's", () => {
    expect(jobDeadline(rowOf(), NOW)).toBeUndefined();
    expect(jobDeadline(rowOf({ timeout_ms: 5000 }), NOW)).toBe(NOW + 5000);
    expect(jobDeadline(rowOf({ start_by: new Date(NOW + 100) }), NOW)).toBe(NOW + 100);
    expect(jobDeadline(rowOf({ timeout_ms: 50, start_by: new Date(NOW + 100) }), NOW)).toBe(
      NOW + 50,
    );
  });
});

describe('engine: schedules and deadlines while waiting', () => {
  it('a due schedule queues the request', () => {
    const change = changeOf({ state: 'SCHEDULED', not_before: new Date(NOW) });
    const effects = new Effects();
    expect(scheduleDue(change, contextOf(), effects)).toBe(true);
    expect(change.row).toMatchObject({ state: 'QUEUED', not_before: null });
  });

  it('a schedule not yet due stays', () => {
    expect(
      scheduleDue(
        changeOf({ state: 'SCHEDULED', not_before: new Date(NOW + 1) }),
        contextOf(),
        new Effects(),
      ),
    ).toBe(false);
  });

  it.each(WAITING)('a %s request past its deadline ends ERROR "deadline passed"', (state) => {
    const change = changeOf({ state, start_by: new Date(NOW - 1) });
    const effects = new Effects();
    expect(expireStartBy(change, contextOf(), effects)).toBe(true);
    expect(change.row.state).toBe('ERROR');
    expect(change.row.messages[0]).toMatch(/^deadline passed: no worker started the request by /);
    expect(effects.terminal.map((pending) => pending.event.state)).toEqual(['ERROR']);
  });

  it.each(OUTSTANDING)(
    'a %s request is not expired by its start deadline (a worker has it)',
    (state) => {
      expect(
        expireStartBy(changeOf({ state, start_by: new Date(NOW - 1) }), contextOf(), new Effects()),
      ).toBe(false);
    },
  );
});
