import { type ChannelWrapper } from 'amqp-connection-manager';
import { deferred, type Deferred } from '@org/testkit';
import { Publisher } from '../src/runtime/publisher';

describe('Publisher (bounded publish buffer)', () => {
  it('keeps at most `capacity` publishes waiting for a confirm; the rest wait for room, in order', async () => {
    const confirms: Deferred<boolean>[] = [];
    const sent: string[] = [];
    const channel = {
      publish: (_exchange: string, routingKey: string) => {
        sent.push(routingKey);
        const confirm = deferred<boolean>();
        confirms.push(confirm);
        return confirm.promise;
      },
    } as unknown as ChannelWrapper;
    const publisher = new Publisher(channel, 2);
    const message = (key: string) => ({
      exchange: 'x',
      routingKey: key,
      content: Buffer.alloc(0),
      options: { persistent: true, messageId: key, timestamp: 0, headers: {} },
    });
    const done = ['a', 'b', 'c', 'd'].map((key) => publisher.publish(message(key)));
    await Promise.resolve();
    expect(sent).toEqual(['a', 'b']);
    expect(publisher.pending).toBe(4);
    confirms[0]!.resolve(true);
    await done[0];
    await Promise.resolve();
    expect(sent).toEqual(['a', 'b', 'c']);
    confirms[1]!.reject(new Error('nacked by the broker'));
    await expect(done[1]).rejects.toThrow('nacked by the broker');
    await Promise.resolve();
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
    confirms[2]!.resolve(true);
    confirms[3]!.resolve(true);
    await Promise.all([done[2], done[3]]);
    expect(publisher.pending).toBe(0);
  });
});
