import { randomBytes } from 'node:crypto';
import {
  brokerRefusal,
  ChannelLeases,
  ConfirmPublisher,
  createConnection,
  type ConnectionLogger,
} from '../src/index';
import { connect, type ConsumeMessage } from 'amqplib';
import { amqpUrl, deferred, waitFor } from '@org/testkit';

function memoryLogger(): ConnectionLogger & { lines: string[] } {
  const lines: string[] = [];
  const add = (message: string, fields?: Readonly<Record<string, unknown>>) =>
    void lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: add, warn: add };
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

const queueName = () => `amqp_kit_${randomBytes(4).toString('hex')}`;

describe('connection over a list of URLs', () => {
  it('skips a node that is down, connects to the next, and never logs a password', async () => {
    const logger = memoryLogger();
    const dead = withPassword('amqp://guest@127.0.0.1:1', 'dead-node-secret');
    const connection = createConnection({
      urls: `${dead},${amqpUrl()}`,
      name: 'amqp-kit test',
      logger,
    });
    try {
      await connection.manager.connect({ timeout: 20_000 });
      expect(connection.urls).toEqual([dead, amqpUrl()]);
      expect(logger.lines.some((line) => line.startsWith('cannot connect to the broker'))).toBe(
        true,
      );
      expect(logger.lines.join('\n')).not.toContain('dead-node-secret');
      expect(logger.lines.join('\n')).toContain('amqp://guest:***@127.0.0.1:1');
    } finally {
      await connection.manager.close();
    }
  });
});

describe('broker refusals', () => {
  it('tell a wrong password, a missing queue and differing arguments from a network failure', async () => {
    const wrongPassword = await connect(withPassword(amqpUrl(), 'certainly-wrong')).catch(
      (error: unknown) => error,
    );
    expect(brokerRefusal(wrongPassword)).toEqual({ kind: 'auth', code: 403 });
    const unreachable = await connect('amqp://guest:guest@127.0.0.1:1').catch(
      (error: unknown) => error,
    );
    expect(brokerRefusal(unreachable)).toBeUndefined();

    const connection = await connect(amqpUrl());
    try {
      const missing = await connection.createChannel();
      missing.on('error', () => undefined);
      const notFound = await missing.checkQueue(queueName()).catch((error: unknown) => error);
      expect(brokerRefusal(notFound)).toEqual({ kind: 'not-found', code: 404 });

      const name = queueName();
      const declare = await connection.createChannel();
      await declare.assertQueue(name, { autoDelete: true, arguments: { 'x-max-length': 10 } });
      const other = await connection.createChannel();
      other.on('error', () => undefined);
      const differs = await other
        .assertQueue(name, { autoDelete: true, arguments: { 'x-max-length': 20 } })
        .catch((error: unknown) => error);
      expect(brokerRefusal(differs)).toEqual({ kind: 'precondition', code: 406 });
      await declare.deleteQueue(name);
    } finally {
      await connection.close();
    }
  });
});

describe('channel leases: never ack on another channel', () => {
  it('drops the settlement of a delivery whose channel closed; the broker redelivers it on the next', async () => {
    const connection = await connect(amqpUrl());
    const name = queueName();
    const leases = new ChannelLeases();
    try {
      const setup = await connection.createChannel();
      await setup.assertQueue(name, { autoDelete: false });
      setup.sendToQueue(name, Buffer.from('job'));

      const first = leases.lease(await connection.createChannel());
      const delivered = deferred<ConsumeMessage>();
      await first.channel.consume(name, (message) => message && delivered.resolve(message));
      const message = await delivered.promise;
      await first.channel.close();
      expect(first.open).toBe(false);
      // Same delivery tag (1) on the next channel names the redelivered message: a misplaced ack
      // would ack it; the lease drops it instead.
      expect(first.settle(message, 'ack')).toBe('dropped');

      const second = leases.lease(await connection.createChannel());
      const redelivered = deferred<ConsumeMessage>();
      await second.channel.consume(name, (m) => m && redelivered.resolve(m));
      const again = await redelivered.promise;
      expect(again.fields.redelivered).toBe(true);
      expect(again.fields.deliveryTag).toBe(message.fields.deliveryTag);
      expect(leases.generations).toBe(2);
      expect(leases.current).toBe(second);
      expect(second.settle(again, 'ack')).toBe('settled');
      await waitFor(async () => (await setup.checkQueue(name)).messageCount === 0 || undefined, {
        what: 'the queue to be empty',
      });
      // A newer lease retires the older one even before its channel reports the close.
      const third = leases.lease(await connection.createChannel());
      expect(second.open).toBe(false);
      expect(third.open).toBe(true);
      await setup.deleteQueue(name);
    } finally {
      await connection.close();
    }
  });
});

describe('confirm publisher on the broker', () => {
  it('resolves once the broker confirmed, in order', async () => {
    const logger = memoryLogger();
    const connection = createConnection({
      urls: amqpUrl(),
      name: 'amqp-kit publisher test',
      logger,
    });
    const name = queueName();
    try {
      const publisher = ConfirmPublisher.open(connection.manager, {
        name: 'publish',
        capacity: 3,
        logger,
      });
      await publisher.waitForConnect();
      const admin = await connect(amqpUrl());
      const channel = await admin.createChannel();
      await channel.assertQueue(name, { autoDelete: false });
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          publisher.publish({
            exchange: '',
            routingKey: name,
            content: Buffer.from(String(index)),
            options: { persistent: true },
          }),
        ),
      );
      expect((await channel.checkQueue(name)).messageCount).toBe(20);
      const bodies: string[] = [];
      for (let index = 0; index < 20; index++) {
        const got = await channel.get(name, { noAck: true });
        if (got) bodies.push(got.content.toString());
      }
      expect(bodies).toEqual(Array.from({ length: 20 }, (_, index) => String(index)));
      await channel.deleteQueue(name);
      await admin.close();
      await publisher.close();
    } finally {
      await connection.manager.close();
    }
  });
});
