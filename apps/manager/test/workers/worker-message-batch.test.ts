import { plainToInstance } from 'class-transformer';
import { WorkerStatusBody, type WorkerMessage, type WorkerMessageKind } from '@org/protocol';
import { foldWorkerMessages } from '../../src/workers/worker-message-batch';

function message(
  kind: WorkerMessageKind,
  body: Partial<WorkerStatusBody> & { id: string },
): WorkerMessage {
  return {
    kind,
    body: plainToInstance(WorkerStatusBody, { type: 'mover', status: 'ready', ...body }),
  };
}

describe('foldWorkerMessages', () => {
  it('keeps one row per instance, sorted by id, with the latest heartbeat figures', () => {
    const writes = foldWorkerMessages([
      message('heartbeat', { id: 'b', processed: 1 }),
      message('heartbeat', { id: 'a', processed: 5 }),
      message('heartbeat', { id: 'b', processed: 2, inFlight: 1 }),
    ]);
    expect(writes.instances.map((write) => [write.id, write.stats.processed])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
    expect(writes.instances[1]).toMatchObject({ registering: false, stats: { inFlight: 1 } });
    expect(writes.unregistered).toEqual([]);
    expect(writes.registrations).toEqual([]);
  });

  it('merges a heartbeat into the registration before it, and keeps the registration apart', () => {
    const writes = foldWorkerMessages([
      message('register', {
        id: 'a',
        version: '1.2.0',
        concurrency: 4,
        batch: 10,
        description: 'moves files',
        schema: { type: 'object' },
        contentTypes: ['product/raw'],
      }),
      message('heartbeat', { id: 'a', inFlight: 3 }),
    ]);
    expect(writes.instances).toHaveLength(1);
    expect(writes.instances[0]).toMatchObject({
      id: 'a',
      registering: true,
      version: '1.2.0',
      concurrency: 4,
      batch: 10,
      stats: { inFlight: 3, concurrency: 4 },
    });
    // Registration-only fields stay out of the live figures.
    expect(writes.instances[0]!.stats).not.toHaveProperty('schema');
    expect(writes.instances[0]!.stats).not.toHaveProperty('description');
    expect(writes.registrations).toEqual([
      {
        type: 'mover',
        instanceId: 'a',
        description: 'moves files',
        version: '1.2.0',
        contract: undefined,
        contentTypes: ['product/raw'],
        schema: { type: 'object' },
      },
    ]);
  });

  it('lets an unregistration win over what came before it, and a later registration revive', () => {
    const writes = foldWorkerMessages([
      message('heartbeat', { id: 'a' }),
      message('unregister', { id: 'a' }),
      message('heartbeat', { id: 'b' }),
      message('unregister', { id: 'b' }),
      message('register', { id: 'b' }),
    ]);
    expect(writes.unregistered).toEqual(['a']);
    expect(writes.instances.map((write) => [write.id, write.registering])).toEqual([['b', true]]);
  });

  it('keeps the latest registration of each type', () => {
    const writes = foldWorkerMessages([
      message('register', { id: 'a', description: 'old' }),
      message('register', { id: 'b', description: 'new' }),
      message('register', { id: 'c', type: 'other', description: 'other' }),
    ]);
    expect(
      writes.registrations.map((registration) => [registration.type, registration.instanceId]),
    ).toEqual([
      ['mover', 'b'],
      ['other', 'c'],
    ]);
  });
});
