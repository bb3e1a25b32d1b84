import { type Channel } from 'amqplib';
import { HEADERS, TERMINAL_EVENT_STATES, type Names } from '@org/protocol';

/**
 * Counts the requester events of a namespace per request id: how many terminal events each
 * request got (exactly one is the contract) and which. Binds its own exclusive queue to
 * `<ns>.events`, so it sees every event from the moment it starts.
 */
export class EventTally {
  /** Terminal events per request id, in arrival order. */
  readonly terminal = new Map<string, string[]>();
  /** Events of every state, counted. */
  readonly byState = new Map<string, number>();

  private constructor(private readonly channel: Channel) {}

  static async start(channel: Channel, names: Names): Promise<EventTally> {
    const tally = new EventTally(channel);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, names.exchanges.events, '#');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        const headers: Record<string, unknown> = message.properties.headers ?? {};
        const id = String(headers[HEADERS.requestId]);
        const state = String(headers[HEADERS.state]);
        tally.byState.set(state, (tally.byState.get(state) ?? 0) + 1);
        if ((TERMINAL_EVENT_STATES as readonly string[]).includes(state)) {
          const list = tally.terminal.get(id) ?? [];
          list.push(state);
          tally.terminal.set(id, list);
        }
      },
      { noAck: true },
    );
    return tally;
  }

  /** Requests among `ids` with exactly one terminal event, in `state`. */
  endedOnce(ids: Iterable<string>, state = 'SUCCESS'): number {
    let count = 0;
    for (const id of ids) {
      const events = this.terminal.get(id);
      if (events?.length === 1 && events[0] === state) count += 1;
    }
    return count;
  }

  /** Requests among `ids` with more than one terminal event. */
  duplicated(ids: Iterable<string>): number {
    let count = 0;
    for (const id of ids) if ((this.terminal.get(id)?.length ?? 0) > 1) count += 1;
    return count;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
  }
}
