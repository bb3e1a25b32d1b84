import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { connect } from 'amqplib';
import { amqpUrl, waitFor } from '@org/testkit';
import { coalesceWrites } from '../src/coalesced-writes';
import { createConnection } from '../src/index';

/** A sink that records each call of the underlying write (one per system call on a socket). */
function recordingSink(highWaterMark = 16 * 1024): Writable & { calls: number[] } {
  const calls: number[] = [];
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      calls.push(chunk.length);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.reduce((sum, { chunk }) => sum + (chunk as Buffer).length, 0));
      done();
    },
  });
  return Object.assign(sink, { calls });
}

describe('coalesceWrites', () => {
  it('sends the writes of one tick in one call, and the next tick in another', async () => {
    const sink = recordingSink();
    coalesceWrites(sink);
    for (let index = 0; index < 100; index++) sink.write(Buffer.alloc(10));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.calls).toEqual([1000]);
    sink.write(Buffer.alloc(3));
    sink.write(Buffer.alloc(4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.calls).toEqual([1000, 7]);
  });

  it('keeps back-pressure: false past the high-water mark, then drain after the flush', async () => {
    const sink = recordingSink(100);
    coalesceWrites(sink);
    expect(sink.write(Buffer.alloc(60))).toBe(true);
    expect(sink.write(Buffer.alloc(60))).toBe(false);
    await new Promise((resolve) => sink.once('drain', resolve));
    expect(sink.calls).toEqual([120]);
  });
});

describe('an amqplib connection made by createConnection', () => {
  it('publishes a tick of messages in a few socket writes, and every message arrives', async () => {
    const queue = `amqp_kit_coalesce_${randomBytes(4).toString('hex')}`;
    const connection = createConnection({
      urls: amqpUrl(),
      name: 'amqp-kit coalescing test',
      logger: { info: () => undefined, warn: () => undefined },
    });
    const observer = await connect(amqpUrl());
    try {
      const wrapper = connection.manager.createChannel({
        setup: async (channel: { assertQueue(q: string, o: object): Promise<unknown> }) => {
          await channel.assertQueue(queue, { durable: false, autoDelete: false });
        },
      });
      await wrapper.waitForConnect();
      const model = connection.manager.connection as unknown as {
        connection: { stream: Writable & { _writev?: unknown } };
      };
      const socket = model.connection.stream;
      let writes = 0;
      const countWrites = (name: '_write' | '_writev') => {
        const original = (socket as unknown as Record<string, (...args: unknown[]) => unknown>)[
          name
        ]!;
        (socket as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
          writes++;
          return original.apply(socket, args);
        };
      };
      countWrites('_write');
      countWrites('_writev');
      const channel = await connection.manager.connection!.createChannel();
      for (let index = 0; index < 200; index++)
        channel.sendToQueue(queue, Buffer.from(String(index)));
      const check = await observer.createChannel();
      await waitFor(async () => (await check.checkQueue(queue)).messageCount === 200, {
        timeoutMs: 10_000,
        what: '200 messages in the queue',
      });
      // Without coalescing: one write per message (200 at least).
      expect(writes).toBeLessThan(20);
      await check.deleteQueue(queue);
      await channel.close();
    } finally {
      await observer.close();
      await connection.manager.close();
    }
  });
});
