import { type ChannelWrapper } from 'amqp-connection-manager';
import { ConfirmPublisher, type PublishChannel } from '../src/index';
import { deferred, type Deferred } from '@org/testkit';

function fakeChannel() {
  const sent: string[] = [];
  const confirms: Deferred<boolean>[] = [];
  const channel = {
    publish: (_exchange: string, routingKey: string) => {
      sent.push(routingKey);
      const confirm = deferred<boolean>();
      confirms.push(confirm);
      return confirm.promise;
    },
  } as unknown as Pick<ChannelWrapper, 'publish'>;
  return { channel, sent, confirms };
}

const message = (key: string, bytes = 0) => ({
  exchange: 'x',
  routingKey: key,
  content: Buffer.alloc(bytes),
  options: { persistent: true, messageId: key },
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConfirmPublisher (bounded, in order)', () => {
  it('keeps at most `capacity` publishes awaiting a confirm; the rest go in call order as room frees', async () => {
    const { channel, sent, confirms } = fakeChannel();
    const publisher = new ConfirmPublisher(channel, { capacity: 2 });
    const done = ['a', 'b', 'c', 'd'].map((key) => publisher.publish(message(key)));
    expect(sent).toEqual(['a', 'b']);
    expect(publisher.pending).toBe(4);
    confirms[0]!.resolve(true);
    await done[0];
    expect(sent).toEqual(['a', 'b', 'c']);
    // A publish made now queues behind the waiting one, never overtakes it.
    const late = publisher.publish(message('e'));
    confirms[1]!.reject(new Error('nacked by the broker'));
    await expect(done[1]).rejects.toThrow('nacked by the broker');
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
    for (const confirm of confirms.slice(2)) confirm.resolve(true);
    await Promise.all([done[2], done[3]]);
    await settle();
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    confirms[4]!.resolve(true);
    await late;
    expect(publisher.pending).toBe(0);
  });

  it('bounds the bytes awaiting confirms too, letting one oversized message through alone', async () => {
    const { channel, sent, confirms } = fakeChannel();
    const publisher = new ConfirmPublisher(channel, { capacity: 100, maxBytes: 1000 });
    const done = [
      publisher.publish(message('small-1', 400)),
      publisher.publish(message('small-2', 500)),
      publisher.publish(message('big', 5000)),
      publisher.publish(message('after', 10)),
    ];
    expect(sent).toEqual(['small-1', 'small-2']);
    confirms[0]!.resolve(true);
    confirms[1]!.resolve(true);
    await Promise.all(done.slice(0, 2));
    expect(sent).toEqual(['small-1', 'small-2', 'big']);
    confirms[2]!.resolve(true);
    await done[2];
    expect(sent).toEqual(['small-1', 'small-2', 'big', 'after']);
    confirms[3]!.resolve(true);
    await done[3];
  });

  it('rejects a publish the channel throws on, and goes on with the next', async () => {
    let calls = 0;
    const channel = {
      publish: () => {
        calls += 1;
        if (calls === 1) throw new Error('channel closed');
        return Promise.resolve(true);
      },
    } as unknown as Pick<ChannelWrapper, 'publish'>;
    const publisher = new ConfirmPublisher(channel, { capacity: 1 });
    await expect(publisher.publish(message('a'))).rejects.toThrow('channel closed');
    await expect(publisher.publish(message('b'))).resolves.toBeUndefined();
    expect(publisher.pending).toBe(0);
  });
});

describe('ConfirmPublisher with a ChannelRenewal (a channel the broker keeps refusing)', () => {
  /** A channel that nacks every publish, as RabbitMQ 3.10 did after a quorum queue's election. */
  function refusingChannel() {
    const sent: string[] = [];
    let closed = 0;
    const channel = {
      publish: (_exchange: string, routingKey: string) => {
        sent.push(routingKey);
        return Promise.reject(new Error('message nacked'));
      },
      close: () => {
        closed += 1;
        return Promise.resolve();
      },
    } as unknown as PublishChannel;
    return { channel, sent, closed: () => closed };
  }

  it('replaces the channel after a nack: the publishes that follow go to the new one and are confirmed', async () => {
    const refusing = refusingChannel();
    const fresh = fakeChannel();
    const reasons: string[] = [];
    const publisher = new ConfirmPublisher(
      refusing.channel,
      { capacity: 10 },
      { open: () => fresh.channel, onRenew: (reason) => reasons.push(reason) },
    );
    await expect(publisher.publish(message('refused'))).rejects.toThrow('message nacked');
    expect(reasons).toEqual(['message nacked']);
    expect(publisher.renewals).toBe(1);
    // The old channel had nothing left awaiting a confirm: closed at once.
    expect(refusing.closed()).toBe(1);
    const next = publisher.publish(message('again'));
    expect(fresh.sent).toEqual(['again']);
    expect(refusing.sent).toEqual(['refused']);
    fresh.confirms[0]!.resolve(true);
    await expect(next).resolves.toBeUndefined();
    // Closing the publisher closes the current channel, not the old one a second time.
    await publisher.close();
    expect(refusing.closed()).toBe(1);
  });

  it('closes the old channel only once the confirms still owed on it have arrived', async () => {
    const old = fakeChannel();
    let oldClosed = 0;
    const oldChannel = {
      ...old.channel,
      publish: old.channel.publish,
      close: () => {
        oldClosed += 1;
        return Promise.resolve();
      },
    } as unknown as PublishChannel;
    const fresh = fakeChannel();
    const publisher = new ConfirmPublisher(
      oldChannel,
      { capacity: 10 },
      { open: () => fresh.channel },
    );
    const refused = publisher.publish(message('a'));
    const owed = publisher.publish(message('b'));
    old.confirms[0]!.reject(new Error('message nacked'));
    await expect(refused).rejects.toThrow('message nacked');
    expect(publisher.renewals).toBe(1);
    expect(oldClosed).toBe(0);
    old.confirms[1]!.resolve(true);
    await owed;
    await settle();
    expect(oldClosed).toBe(1);
  });

  it('renews at most once per minIntervalMs, and never for other failures', async () => {
    const refusing = refusingChannel();
    let opened = 0;
    const publisher = new ConfirmPublisher(
      refusing.channel,
      { capacity: 10 },
      {
        open: () => {
          opened += 1;
          return refusingChannel().channel;
        },
        minIntervalMs: 60_000,
      },
    );
    await expect(publisher.publish(message('a'))).rejects.toThrow('message nacked');
    await expect(publisher.publish(message('b'))).rejects.toThrow('message nacked');
    expect(opened).toBe(1);

    const throwing = {
      publish: () => Promise.reject(new Error('channel closed')),
    } as unknown as PublishChannel;
    const other = new ConfirmPublisher(
      throwing,
      { capacity: 1 },
      {
        open: () => {
          throw new Error('must not renew');
        },
      },
    );
    await expect(other.publish(message('c'))).rejects.toThrow('channel closed');
    expect(other.renewals).toBe(0);
  });

  it('without a renewal, a nack only rejects the publish (the channel stays)', async () => {
    const refusing = refusingChannel();
    const publisher = new ConfirmPublisher(refusing.channel, { capacity: 1 });
    await expect(publisher.publish(message('a'))).rejects.toThrow('message nacked');
    await expect(publisher.publish(message('b'))).rejects.toThrow('message nacked');
    expect(refusing.sent).toEqual(['a', 'b']);
    expect(publisher.renewals).toBe(0);
  });
});
