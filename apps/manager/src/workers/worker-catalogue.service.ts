import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { InstanceRepository, type TypeLiveness } from './instance.repository';

/** What a worker type can take now: the dispatch window and job batches are sized from it. */
export interface WorkerCapacity {
  /** `ready` instances heard from within `WM_HEARTBEAT_EXPIRY_MS` (database clock). */
  readonly liveInstances: number;
  /**
   * Sum of the live instances' advertised `concurrency`; an instance that advertises none counts
   * as `DEFAULT_INSTANCE_CONCURRENCY`. 0 when none is live.
   */
  readonly concurrency: number;
  /**
   * The smallest `batch` advertised, when every live instance advertises one; undefined as soon
   * as one does not (a v1 instance in the fleet: one job per message) or none is live.
   */
  readonly batch: number | undefined;
}

/** One worker type as this replica's view last read it. */
export interface WorkerTypeSnapshot extends WorkerCapacity {
  readonly type: string;
  readonly available: boolean;
  /** Instances on record: live, draining or silent (not yet pruned). */
  readonly knownInstances: number;
}

/** Called when a type becomes available or stops being available. */
export type AvailabilityListener = (type: string, available: boolean) => void;

const NO_CAPACITY: WorkerCapacity = { liveInstances: 0, concurrency: 0, batch: undefined };

/**
 * This replica's view of worker liveness. The leases live in PostgreSQL (`worker_instances`,
 * written by whichever replica took each worker message from the shared liveness queue); every
 * `WM_LIVENESS_POLL_MS` this view reads one aggregate per type, judged by the database's clock,
 * so every replica sees the same availability and a worker's clock never matters. A replica
 * that writes a batch able to flip a type reads again at once ({@link refreshSoon}).
 *
 * A type is available while at least one `ready` instance was heard from within
 * `WM_HEARTBEAT_EXPIRY_MS`; an unregistered instance stops counting at once.
 */
@Injectable()
export class WorkerCatalogue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Workers');
  private view = new Map<string, TypeLiveness>();
  private readonly listeners: AvailabilityListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private readAt = 0;

  constructor(
    private readonly instances: InstanceRepository,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  /** The first read is awaited: consumers and sweeps start with the deployment's liveness known. */
  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refreshSoon(), this.environment.livenessPollMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  isAvailable(type: string): boolean {
    return (this.view.get(type)?.liveInstances ?? 0) > 0;
  }

  /** Types with at least one live ready instance. */
  availableTypes(): string[] {
    return [...this.view.values()]
      .filter((liveness) => liveness.liveInstances > 0)
      .map((liveness) => liveness.type);
  }

  /** Live instances of `type` and what they can take (all zero when none is live). */
  capacity(type: string): WorkerCapacity {
    const liveness = this.view.get(type);
    if (!liveness || liveness.liveInstances === 0) return NO_CAPACITY;
    return {
      liveInstances: liveness.liveInstances,
      concurrency: liveness.concurrency,
      batch: liveness.batch,
    };
  }

  /**
   * `listener` is called on this replica whenever a type's availability flips; every replica
   * calls its own listeners within `WM_LIVENESS_POLL_MS` of the change in the database.
   */
  onAvailabilityChange(listener: AvailabilityListener): void {
    this.listeners.push(listener);
  }

  /** Every type with instances on record, as last read. */
  snapshot(): WorkerTypeSnapshot[] {
    return [...this.view.values()].map((liveness) => ({
      type: liveness.type,
      available: liveness.liveInstances > 0,
      liveInstances: liveness.liveInstances,
      concurrency: liveness.concurrency,
      batch: liveness.batch,
      knownInstances: liveness.knownInstances,
    }));
  }

  /** When this view was last read from the database (epoch ms; 0 before the first read). */
  lastReadAt(): number {
    return this.readAt;
  }

  /**
   * Reads the leases again as soon as possible: at once when no read is running, else right
   * after the running one (reads never overlap, and requests during a read collapse into one).
   */
  refreshSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.refresh().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      }
    });
  }

  private async refresh(): Promise<void> {
    let rows: TypeLiveness[];
    try {
      rows = await this.instances.liveness();
    } catch (error) {
      // The last view stands until the database answers again (it cannot change meanwhile).
      if (this.failures++ % 100 === 0)
        this.logger.warn(`cannot read worker liveness: ${(error as Error).message}`);
      return;
    }
    this.failures = 0;
    this.readAt = Date.now();
    const next = new Map(rows.map((row) => [row.type, row]));
    const flipped: Array<[string, boolean]> = [];
    for (const type of new Set([...this.view.keys(), ...next.keys()])) {
      const was = (this.view.get(type)?.liveInstances ?? 0) > 0;
      const is = (next.get(type)?.liveInstances ?? 0) > 0;
      if (was !== is) flipped.push([type, is]);
    }
    this.view = next;
    for (const [type, available] of flipped) this.announce(type, available);
  }

  private announce(type: string, available: boolean): void {
    this.logger.log(`worker type ${type} is ${available ? 'available' : 'no longer available'}`);
    for (const listener of this.listeners) {
      try {
        listener(type, available);
      } catch (error) {
        this.logger.error(`availability listener failed: ${(error as Error).message}`);
      }
    }
  }
}
