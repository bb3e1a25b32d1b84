import { ChannelRecovery } from '../src/index';

/** A connection that counts its reconnects and can be made to throw (closed meanwhile). */
function connection() {
  const made = { count: 0, closed: false };
  return {
    made,
    reconnect() {
      if (made.closed) throw new Error('connection closed');
      made.count += 1;
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ChannelRecovery', () => {
  it('reconnects once for a burst of channel errors, on the next turn of the event loop', async () => {
    const target = connection();
    const recovery = new ChannelRecovery(target);
    expect(recovery.schedule()).toBe(true);
    expect(recovery.schedule()).toBe(false);
    expect(target.made.count).toBe(0);
    await nextTurn();
    expect(target.made.count).toBe(1);
    // A later error is a new burst.
    expect(recovery.schedule()).toBe(true);
    await nextTurn();
    expect(target.made.count).toBe(2);
  });

  it('waits the delay it was given, and does nothing once cancelled or inactive', () => {
    jest.useFakeTimers();
    try {
      const target = connection();
      let active = true;
      const recovery = new ChannelRecovery(target, { delayMs: 250, active: () => active });
      recovery.schedule();
      jest.advanceTimersByTime(249);
      expect(target.made.count).toBe(0);
      jest.advanceTimersByTime(1);
      expect(target.made.count).toBe(1);

      recovery.schedule();
      recovery.cancel();
      jest.advanceTimersByTime(1000);
      expect(target.made.count).toBe(1);

      recovery.schedule();
      active = false; // stopping before the delay ends
      jest.advanceTimersByTime(250);
      expect(target.made.count).toBe(1);
      expect(recovery.schedule()).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('swallows the error of a connection closed meanwhile', async () => {
    const target = connection();
    target.made.closed = true;
    const recovery = new ChannelRecovery(target);
    recovery.schedule();
    await nextTurn();
    expect(target.made.count).toBe(0);
    expect(recovery.schedule()).toBe(true);
  });
});
