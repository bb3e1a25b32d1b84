import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { HttpDrain } from '../http/http-drain';
import { AuditLogRepository } from './audit-log.repository';
import { RequestReads } from '../requests/request-reads.service';
import { InstanceRepository } from '../workers/instance.repository';

/** How often the signature is read while a page listens. @default 1000 ms */
export const CHANGE_POLL_MS = 1_000;

/** A server-sent event as Nest writes it. */
export interface ChangeEvent {
  readonly type: string;
  readonly data: string;
}

/**
 * "Something changed" signals for the pages' live updates. One timer per replica reads a cheap
 * signature (the newest history id, the instances' statuses, the newest audit id) while at least
 * one page listens, and tells every listener when it moved (and each new listener `hello` once
 * its baseline is read, so the page reloads once and misses nothing in between): at most one signal per
 * {@link CHANGE_POLL_MS} however busy the system, so a page reloads its data at most that often,
 * and never two reads at once. Streams end when the replica stops, so they never hold a shutdown.
 */
@Injectable()
export class ChangeSignals implements OnModuleDestroy {
  private readonly listeners = new Set<Subscriber<ChangeEvent>>();
  /** Listeners that get `hello` once a signature was read after they came (their baseline). */
  private readonly greeting = new Set<Subscriber<ChangeEvent>>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private reading = false;

  constructor(
    private readonly reads: RequestReads,
    private readonly instances: InstanceRepository,
    private readonly audit: AuditLogRepository,
    private readonly drain: HttpDrain,
  ) {}

  stream(): Observable<ChangeEvent> {
    return new Observable<ChangeEvent>((subscriber) => {
      this.listeners.add(subscriber);
      this.greeting.add(subscriber);
      this.timer ??= setInterval(() => void this.tick(), CHANGE_POLL_MS);
      void this.tick();
      return () => {
        this.listeners.delete(subscriber);
        this.greeting.delete(subscriber);
        if (this.listeners.size === 0) this.stop();
      };
    });
  }

  onModuleDestroy(): void {
    for (const listener of [...this.listeners]) listener.complete();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async tick(): Promise<void> {
    if (this.drain.isStopping) return this.onModuleDestroy();
    if (this.reading) return;
    this.reading = true;
    const greeting = [...this.greeting];
    try {
      const [requests, instances, audit] = await Promise.all([
        this.reads.latestChange(),
        this.instances.list(),
        this.audit.latestId(),
      ]);
      // An instance appearing, draining, going, or (ready) falling silent past the expiry.
      const workers = instances.map(
        (instance) => `${instance.id}:${instance.status}:${instance.live}`,
      );
      const current = `${requests}|${workers.join(',')}|${audit}`;
      if (this.last !== undefined && current !== this.last) {
        const event = { type: 'change', data: JSON.stringify({ at: new Date().toISOString() }) };
        for (const listener of this.listeners) listener.next(event);
      }
      this.last = current;
      // From here on this listener hears of every change: it reloads once to cover the gap.
      for (const listener of greeting) {
        this.greeting.delete(listener);
        listener.next({ type: 'hello', data: '{}' });
      }
    } catch {
      // The database is away: the next tick tries again; pages keep what they show.
    } finally {
      this.reading = false;
    }
  }
}
