import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type WorkerMessage, type WorkerStatusBody } from '@org/protocol';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';

/** One worker instance as last heard of. */
export interface WorkerInstanceSnapshot {
  readonly id: string;
  readonly type: string;
  readonly status: WorkerStatusBody['status'];
  /** Counts toward availability: `ready` and heard from within `WM_HEARTBEAT_EXPIRY_MS`. */
  readonly live: boolean;
  readonly lastSeenAt: Date;
  readonly registeredAt: Date;
  /** The latest registration or heartbeat body (version, host, pid, inFlight, processed, …). */
  readonly stats: WorkerStatusBody;
}

/** One worker type with its instances. */
export interface WorkerTypeSnapshot {
  readonly type: string;
  readonly available: boolean;
  readonly instances: readonly WorkerInstanceSnapshot[];
}

/** Called when a type becomes available or stops being available on this replica. */
export type AvailabilityListener = (type: string, available: boolean) => void;

interface Instance {
  status: WorkerStatusBody['status'];
  lastSeen: number;
  registeredAt: number;
  stats: WorkerStatusBody;
}

/**
 * The in-memory catalogue of worker instances, fed by registrations, heartbeats and
 * unregistrations, judged by this replica's clock. A type is available while at least one
 * `ready` instance was heard from within the expiry. Rebuilt from heartbeats after a restart.
 */
@Injectable()
export class WorkerCatalogue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Workers');
  private readonly types = new Map<string, Map<string, Instance>>();
  private readonly availability = new Map<string, boolean>();
  private readonly listeners: AvailabilityListener[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment) {}

  onModuleInit(): void {
    const period = Math.max(20, Math.min(1000, Math.floor(this.environment.heartbeatExpiryMs / 4)));
    this.timer = setInterval(() => this.expire(), period);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Records a registration, heartbeat or unregistration. */
  record(message: WorkerMessage, now = Date.now()): void {
    const { kind, body } = message;
    let instances = this.types.get(body.type);
    if (!instances) {
      instances = new Map();
      this.types.set(body.type, instances);
    }
    if (kind === 'unregister') {
      instances.delete(body.id);
    } else {
      const known = instances.get(body.id);
      instances.set(body.id, {
        status: body.status,
        lastSeen: now,
        registeredAt: known?.registeredAt ?? now,
        stats: known && kind === 'heartbeat' ? { ...known.stats, ...body } : body,
      });
    }
    this.update(body.type, now);
  }

  isAvailable(type: string): boolean {
    return this.availability.get(type) ?? false;
  }

  /** Types with at least one live ready instance. */
  availableTypes(): string[] {
    return [...this.availability].filter(([, available]) => available).map(([type]) => type);
  }

  onAvailabilityChange(listener: AvailabilityListener): void {
    this.listeners.push(listener);
  }

  /** Every known type with its instances (instances expired for a while are forgotten). */
  snapshot(now = Date.now()): WorkerTypeSnapshot[] {
    return [...this.types].map(([type, instances]) => ({
      type,
      available: this.computeAvailable(instances, now),
      instances: [...instances].map(([id, instance]) => ({
        id,
        type,
        status: instance.status,
        live: this.isLive(instance, now),
        lastSeenAt: new Date(instance.lastSeen),
        registeredAt: new Date(instance.registeredAt),
        stats: instance.stats,
      })),
    }));
  }

  private expire(now = Date.now()): void {
    for (const [type, instances] of this.types) {
      for (const [id, instance] of instances) {
        // Kept a while after expiry so operators can see what went silent.
        if (now - instance.lastSeen > 10 * this.environment.heartbeatExpiryMs) instances.delete(id);
      }
      this.update(type, now);
    }
  }

  private update(type: string, now: number): void {
    const instances = this.types.get(type);
    const available = instances ? this.computeAvailable(instances, now) : false;
    if ((this.availability.get(type) ?? false) === available) return;
    this.availability.set(type, available);
    this.logger.log(`worker type ${type} is ${available ? 'available' : 'no longer available'}`);
    for (const listener of this.listeners) {
      try {
        listener(type, available);
      } catch (error) {
        this.logger.error(`availability listener failed: ${(error as Error).message}`);
      }
    }
  }

  private computeAvailable(instances: Map<string, Instance>, now: number): boolean {
    for (const instance of instances.values()) if (this.isLive(instance, now)) return true;
    return false;
  }

  private isLive(instance: Instance, now: number): boolean {
    return (
      instance.status === 'ready' && now - instance.lastSeen <= this.environment.heartbeatExpiryMs
    );
  }
}
