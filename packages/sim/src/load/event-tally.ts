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
  /** When each request's first terminal event arrived here, epoch ms. */
  readonly endedAt = new Map<string, number>();
  /** Per request id: copies received of each terminal outcome (`<state>#<attempt>`). */
  readonly outcomeCopies = new Map<string, Map<string, number>>();

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
          if (!tally.endedAt.has(id)) tally.endedAt.set(id, Date.now());
          const attempt = headers[HEADERS.attempt];
          const outcome = `${state}#${typeof attempt === 'number' || typeof attempt === 'string' ? attempt : ''}`;
          const copies = tally.outcomeCopies.get(id) ?? new Map<string, number>();
          copies.set(outcome, (copies.get(outcome) ?? 0) + 1);
          tally.outcomeCopies.set(id, copies);
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

  /** Requests among `ids` with at least one terminal event. */
  ended(ids: Iterable<string>): number {
    let count = 0;
    for (const id of ids) if (this.terminal.has(id)) count += 1;
    return count;
  }

  /**
   * Terminal outcomes of `ids` as the contract counts them (docs/reliability.md): a request's
   * state changes once, but its terminal event goes through an outbox and is at least once, so
   * extra copies of one outcome (same state, same attempt) are resends after a replica died
   * between publishing and deleting its outbox row, while two different outcomes would be a
   * request ending twice.
   */
  outcomes(ids: Iterable<string>, state = 'SUCCESS'): TerminalOutcomes {
    const result = { endedOnce: 0, endedTwice: 0, otherState: 0, missing: 0, resent: 0 };
    for (const id of ids) {
      const copies = this.outcomeCopies.get(id);
      if (!copies) {
        result.missing += 1;
        continue;
      }
      for (const count of copies.values()) result.resent += count - 1;
      const [only, ...more] = [...copies.keys()];
      if (more.length > 0) result.endedTwice += 1;
      else if (only?.startsWith(`${state}#`)) result.endedOnce += 1;
      else result.otherState += 1;
    }
    return result;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
  }
}

/** What {@link EventTally.outcomes} counts. */
export interface TerminalOutcomes {
  /** One terminal outcome, in the expected state. */
  readonly endedOnce: number;
  /** Two or more different terminal outcomes (state or attempt): a request ended twice. */
  readonly endedTwice: number;
  /** One terminal outcome, in another state (ERROR, SKIPPED…). */
  readonly otherState: number;
  /** No terminal event at all. */
  readonly missing: number;
  /** Extra copies of an outcome already received (at-least-once terminal events). */
  readonly resent: number;
}
