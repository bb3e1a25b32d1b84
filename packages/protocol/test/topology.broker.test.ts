import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  buildControlOrder,
  buildJob,
  checkTopology,
  controlTopology,
  deleteTopology,
  managerTopology,
  namesFor,
  readDeadLetter,
  WORK_QUEUE_DELIVERY_LIMIT,
  workerQueueTopology,
  workerTopology,
  workQueueArguments,
  type Names,
} from '../src/index';

// Global setup (packages/testkit) exports the broker it found or started as AMQP_URL.
const amqpUrl = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

let connection: ChannelModel;
let names: Names;

beforeEach(async () => {
  connection = await connect(amqpUrl);
  names = namesFor(`p_${randomBytes(4).toString('hex')}`);
});

afterEach(async () => {
  const channel = await connection.createChannel();
  await deleteTopology(channel, managerTopology(names, ['mover', 'other']));
  await connection.close();
});

function job(requestId: string, workerType = 'mover') {
  return buildJob(names, {
    requestId,
    attempt: 1,
    workerType,
    contentType: 'x/y',
    step: 0,
    messageId: `${requestId}#1`,
    body: Buffer.from('hi'),
  });
}

function nextMessage(channel: Channel, queue: string): Promise<ConsumeMessage> {
  return new Promise((resolve) => {
    void channel.consume(queue, (message) => message && resolve(message), { noAck: true });
  });
}

describe('topology on the broker', () => {
  it('is declared by the manager and a worker on separate connections without a channel error', async () => {
    const other = await connect(amqpUrl);
    try {
      const managerChannel = await connection.createChannel();
      const workerChannel = await other.createConfirmChannel();
      await Promise.all([
        assertTopology(managerChannel, managerTopology(names, ['mover'])),
        assertTopology(workerChannel, workerTopology(names, 'mover')),
      ]);
      // Again, now that everything exists: idempotent.
      await assertTopology(workerChannel, workerTopology(names, 'mover'));
      await assertTopology(managerChannel, managerTopology(names, ['mover']));
      await checkTopology(workerChannel, workerQueueTopology(names, 'mover'));
      const { messageCount } = await managerChannel.checkQueue(names.workerQueue('mover'));
      expect(messageCount).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('catches a worker queue declared with other arguments', async () => {
    await assertTopology(await connection.createChannel(), managerTopology(names, ['mover']));
    const channel = await connection.createChannel();
    const closed = new Promise<Error>((resolve) => channel.once('error', resolve));
    await expect(
      channel.assertQueue(names.workerQueue('mover'), {
        durable: true,
        arguments: {
          ...workQueueArguments(names.exchanges.dead, 'mover'),
          'x-delivery-limit': WORK_QUEUE_DELIVERY_LIMIT + 1,
        },
      }),
    ).rejects.toThrow(/PRECONDITION_FAILED/);
    expect((await closed).message).toMatch(/inequivalent arg 'x-delivery-limit'/);
  });

  it('fails a passive check when the manager has not declared the queue', async () => {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await expect(checkTopology(channel, workerQueueTopology(names, 'other'))).rejects.toThrow(
      /NOT_FOUND/,
    );
  });

  it('sends a job for a type without a queue to the unrouted queue', async () => {
    const channel = await connection.createConfirmChannel();
    await assertTopology(channel, managerTopology(names, ['mover']));
    const unrouted = nextMessage(channel, names.queues.managerUnrouted);
    const message = job('r-lost', 'nobody');
    channel.publish(message.exchange, message.routingKey, message.content, message.options);
    await channel.waitForConfirms();
    expect((await unrouted).properties.headers?.['wm-request-id']).toBe('r-lost');
  });

  it('dead-letters a job given back too often to the manager, with the reason', async () => {
    const channel = await connection.createConfirmChannel();
    await assertTopology(channel, managerTopology(names, ['mover']));
    const dead = nextMessage(channel, names.queues.managerDead);
    const message = job('r-poison');
    channel.publish(message.exchange, message.routingKey, message.content, message.options);
    await channel.waitForConfirms();
    // A worker that crashes on the job each time: every delivery is given back.
    await channel.consume(
      names.workerQueue('mover'),
      (delivery) => delivery && channel.nack(delivery, false, true),
    );
    const deadLetter = await dead;
    expect(deadLetter.properties.headers?.['wm-request-id']).toBe('r-poison');
    expect(readDeadLetter(deadLetter)).toMatchObject({
      reason: 'delivery_limit',
      queue: names.workerQueue('mover'),
      isJob: true,
      routingKey: 'mover',
    });
  });

  it('routes control orders to one instance or to every instance of a type', async () => {
    const channel = await connection.createConfirmChannel();
    await assertTopology(channel, managerTopology(names, []));
    await assertTopology(channel, controlTopology(names, 'mover', 'mover-a'));
    await assertTopology(channel, controlTopology(names, 'mover', 'mover-b'));
    await assertTopology(channel, controlTopology(names, 'other', 'other-a'));
    const received: Record<string, string[]> = { 'mover-a': [], 'mover-b': [], 'other-a': [] };
    const all = new Promise<void>((resolve) => {
      for (const id of Object.keys(received)) {
        void channel.consume(
          names.controlQueue(id),
          (message) => {
            if (!message) return;
            received[id]!.push(
              (JSON.parse(message.content.toString()) as { reason: string }).reason,
            );
            if (Object.values(received).flat().length === 3) resolve();
          },
          { noAck: true },
        );
      }
    });
    for (const order of [
      buildControlOrder(
        names,
        { target: 'instance', workerId: 'mover-b' },
        { order: 'drain', reason: 'to b' },
      ),
      buildControlOrder(
        names,
        { target: 'type', workerType: 'mover' },
        { order: 'cancel', requestId: 'r', reason: 'to movers' },
      ),
    ]) {
      channel.publish(order.exchange, order.routingKey, order.content, order.options);
    }
    await channel.waitForConfirms();
    await all;
    expect(received).toEqual({
      'mover-a': ['to movers'],
      'mover-b': ['to b', 'to movers'],
      'other-a': [],
    });
  });
});
