import { connect } from 'amqplib';
import { Client } from 'pg';
import { assertTopology, managerTopology } from '@org/protocol';
import {
  createTestNamespace,
  TcpProxy,
  MessageCollector,
  waitFor,
  withTimeout,
  deferred,
} from '../src/index';

async function schemaExists(databaseUrl: string, schema: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('test namespace', () => {
  it('isolates a test on the broker and in PostgreSQL and removes everything at cleanup', async () => {
    const ns = await createTestNamespace();
    expect(ns.name).toMatch(/^t_[0-9a-f]{8}$/);
    ns.workerTypes.add('mover');
    await assertTopology(ns.channel, managerTopology(ns.names, ['mover']));
    const client = new Client({ connectionString: ns.databaseUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA "${ns.name}"`);
    await client.end();
    const ran: string[] = [];
    ns.defer(() => ran.push('first'));
    ns.defer(() => ran.push('second'));

    await ns.cleanup();

    expect(ran).toEqual(['second', 'first']);
    expect(await schemaExists(ns.databaseUrl, ns.name)).toBe(false);
    const probe = await createTestNamespace();
    try {
      const channel = await probe.connection.createChannel();
      channel.on('error', () => undefined);
      await expect(channel.checkQueue(ns.names.workerQueue('mover'))).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await probe.cleanup();
    }
  });

  it('collects messages and waits for them without sleeping', async () => {
    const ns = await createTestNamespace();
    try {
      await assertTopology(ns.channel, managerTopology(ns.names, []));
      const events = await MessageCollector.start(
        ns.channel,
        ns.names.exchanges.events,
        'success.#',
      );
      const waiting = events.waitFor(2, (message) => message.content.toString() !== 'skip');
      for (const body of ['a', 'skip', 'b'])
        ns.channel.publish(ns.names.exchanges.events, 'success.x', Buffer.from(body));
      expect((await waiting).map((message) => message.content.toString())).toEqual(['a', 'b']);
      await expect(events.waitFor(5, () => true, 200)).rejects.toThrow(
        /timed out after 200 ms waiting for 5 message\(s\)/,
      );
    } finally {
      await ns.cleanup();
    }
  });

  it('waits for a state with a timeout that names it', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).toBe(3);
    await expect(
      waitFor(() => false, { timeoutMs: 50, intervalMs: 5, what: 'the moon' }),
    ).rejects.toThrow('timed out after 50 ms waiting for the moon');
    const gate = deferred<string>();
    await expect(withTimeout(gate.promise, 20, 'a gate')).rejects.toThrow('waiting for a gate');
  });
});

describe('tcp proxy', () => {
  it('forwards, black-holes and resets connections to the broker', async () => {
    const target = new URL(process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5672));
    try {
      const connection = await connect(proxy.proxiedUrl(target.toString()));
      const channel = await connection.createChannel();
      expect(proxy.connections).toBe(1);
      proxy.blackhole();
      const stalled = channel.checkExchange('amq.topic');
      stalled.catch(() => undefined);
      await expect(withTimeout(stalled, 300, 'a reply through the black hole')).rejects.toThrow(
        /timed out/,
      );
      connection.on('error', () => undefined);
      const closed = new Promise((resolve) => connection.once('close', resolve));
      proxy.resetAll();
      await closed;
      proxy.restore();
      const again = await connect(proxy.proxiedUrl(target.toString()));
      await (await again.createChannel()).checkExchange('amq.topic');
      await again.close();
      await waitFor(() => proxy.connections === 0 || undefined, {
        what: 'the proxy to see the client go',
      });
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
