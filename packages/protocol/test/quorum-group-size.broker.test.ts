import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { namesFor, workQueueArguments } from '../src/index';

// Global setup (packages/testkit) exports the broker it found or started as AMQP_URL.
const amqpUrl = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const GROUP_SIZE = 'x-quorum-initial-group-size';

/**
 * Why `workQueueArguments` never carries `x-quorum-initial-group-size`: the broker compares it on
 * every redeclaration, so two declarers configured differently (or a v1 worker that does not send
 * it) would close each other's channels. These tests pin that behaviour of the RabbitMQ in use.
 */
describe('quorum initial group size and queue equivalence', () => {
  let connection: ChannelModel;
  let queue: string;

  beforeEach(async () => {
    connection = await connect(amqpUrl);
    queue = `${namesFor(`q_${randomBytes(4).toString('hex')}`).namespace}.worker.sized`;
  });

  afterEach(async () => {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => undefined);
    await connection.close();
  });

  async function declare(args: Record<string, unknown>): Promise<string | undefined> {
    const channel = await connection.createChannel();
    const closed = new Promise<Error>((resolve) => channel.once('error', resolve));
    try {
      await channel.assertQueue(queue, { durable: true, arguments: args });
      await channel.close();
      return undefined;
    } catch {
      return (await closed).message;
    }
  }

  const contract = () => workQueueArguments('dead', 'sized');

  it('is not among the contract arguments', () => {
    expect(Object.keys(contract())).not.toContain(GROUP_SIZE);
    expect(contract()['x-queue-type']).toBe('quorum');
  });

  it('refuses a redeclaration that omits a group size the queue was created with', async () => {
    expect(await declare({ ...contract(), [GROUP_SIZE]: 3 })).toBeUndefined();
    expect(await declare(contract())).toMatch(
      /PRECONDITION_FAILED - inequivalent arg 'x-quorum-initial-group-size'/,
    );
    expect(await declare({ ...contract(), [GROUP_SIZE]: 5 })).toMatch(
      /inequivalent arg 'x-quorum-initial-group-size'/,
    );
  });

  it('refuses a group size on a queue created without one, and accepts the contract again', async () => {
    expect(await declare(contract())).toBeUndefined();
    expect(await declare({ ...contract(), [GROUP_SIZE]: 1 })).toMatch(
      /inequivalent arg 'x-quorum-initial-group-size'/,
    );
    expect(await declare(contract())).toBeUndefined();
  });
});
