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
  sweepTestQueues,
  TEST_QUEUE_PATTERN,
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

  it('deletes at cleanup the queues of worker types only its manager knew', async () => {
    const ns = await createTestNamespace();
    // A type the test never listed: seen by the manager (its instances table), as when a worker
    // process of the test declared its own queue.
    await assertTopology(ns.channel, managerTopology(ns.names, ['stray']));
    const client = new Client({ connectionString: ns.databaseUrl });
    await client.connect();
    await client.query(`CREATE SCHEMA "${ns.name}"`);
    await client.query(`CREATE TABLE "${ns.name}".worker_instances (id text, type text)`);
    await client.query(`INSERT INTO "${ns.name}".worker_instances VALUES ('i1', 'stray')`);
    await client.end();

    await ns.cleanup();

    const probe = await createTestNamespace();
    try {
      const channel = await probe.connection.createChannel();
      channel.on('error', () => undefined);
      await expect(channel.checkQueue(ns.names.workerQueue('stray'))).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await probe.cleanup();
    }
  });

  it('sweeps the queues test runs left on the broker, and only those', async () => {
    const ns = await createTestNamespace();
    try {
      const own = `sw${ns.name.slice(2)}`; // unique to this test: the namespace's random hex
      const leftover = `${own}_00c0ffee.worker.left`;
      const kept = `${ns.name}-kept`;
      await ns.channel.assertQueue(leftover, { durable: true });
      await ns.channel.assertQueue(kept, { durable: false, autoDelete: false });
      ns.defer(() => ns.connection.createChannel().then((c) => c.deleteQueue(kept)));
      expect(TEST_QUEUE_PATTERN.test(leftover)).toBe(true);
      expect(TEST_QUEUE_PATTERN.test('wm.requests')).toBe(false);

      // Narrowed to this test's names: other test files run on the same broker meanwhile.
      const result = await sweepTestQueues(new RegExp(`^${own}_[0-9a-f]{8}\\.`));

      expect(result.deleted).toBe(1);
      const channel = await ns.connection.createChannel();
      channel.on('error', () => undefined);
      await expect(channel.checkQueue(kept)).resolves.toMatchObject({ queue: kept });
      await expect(channel.checkQueue(leftover)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await ns.cleanup();
    }
  });

  it('fails with the reason, not a hang, when the broker accepts sockets but never answers', async () => {
    const target = new URL(process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5672));
    try {
      proxy.blackhole();
      await expect(
        createTestNamespace('t', {
          brokerUrls: [proxy.proxiedUrl(target.toString())],
          connectTimeoutMs: 300,
        }),
      ).rejects.toThrow(/did not complete the AMQP handshake within 300 ms/);
    } finally {
      await proxy.close();
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
