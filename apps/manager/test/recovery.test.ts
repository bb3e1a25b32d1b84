import { createHash } from 'node:crypto';
import { HEADERS } from '@org/protocol';
import { eventOf, header, statesOf, useTestNamespace, waitFor } from '@org/testkit';
import { rowOf, startObservedManager, startTestWorker } from './support/harness';

describe('recovery of work a dead replica left behind', () => {
  const ns = useTestNamespace('mc');

  it('re-publishes a TO_DISPATCH request whose lease expired (crash between commit and confirm) with a new attempt', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [{ type: 'rec', contentTypes: ['rec/x'] }],
    });
    const worker = await startTestWorker(ns(), { type: 'rec' }, [manager]);
    // What a replica that died right after its intake commit leaves: a recorded, never published job.
    await db.query(
      `INSERT INTO requests (id, state, content_type, steps, worker_type, attempt, cycle_attempts, input, input_content_type, payload_sha256, lease_until)
       VALUES ('orphan', 'TO_DISPATCH', 'rec/x', '{rec}', 'rec', 1, 1, 'lost', 'rec/x', $1, now() - interval '1 second')`,
      [createHash('sha256').update('x').digest()],
    );
    const success = await events.first(eventOf('orphan', 'SUCCESS'));
    expect(success.content.toString()).toBe('lost');
    expect(worker.jobsFor('orphan').map((job) => job.attempt)).toEqual([2]);
    // Answered before its DISPATCHED record: the outcome alone (lean events).
    expect(statesOf(events, 'orphan')).toEqual(['SUCCESS']);
    expect(await rowOf(db, 'orphan')).toBeUndefined();
  });

  it('sends a terminal event left in the outbox by a replica that died after its commit', async () => {
    const { events, db } = await startObservedManager(ns(), { workers: [] });
    const event = {
      requestId: 'gone',
      state: 'SUCCESS',
      requestContentType: 'any/x',
      messages: [],
      meta: {},
    };
    await db.query(
      `INSERT INTO outbox (request_id, event, body, claimed_until) VALUES ('gone', $1::jsonb, 'final output', now() - interval '1 second')`,
      [JSON.stringify(event)],
    );
    const success = await events.first(eventOf('gone', 'SUCCESS'));
    expect(success.content.toString()).toBe('final output');
    expect(header(success, HEADERS.requestContentType)).toBe('any/x');
    await waitFor(
      async () => (await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0,
      { what: 'the outbox emptied' },
    );
  });
});
