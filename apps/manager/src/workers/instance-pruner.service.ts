import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { InstanceRepository } from './instance.repository';

/** Silent instances stay listed this many expiries (operators see what went quiet), then go. */
export const INSTANCE_RETENTION_EXPIRIES = 10;
/** Rows one prune statement deletes at most. */
const PRUNE_BATCH = 500;
/** Statements one prune run issues at most: a backlog is worked off over several runs. */
const PRUNE_BATCHES_PER_RUN = 10;

/**
 * Deletes instance rows silent for `INSTANCE_RETENTION_EXPIRIES` × `WM_HEARTBEAT_EXPIRY_MS`,
 * and unregistered ones after one expiry, in bounded batches, once per expiry period (at least
 * every second). Every replica runs it; `SKIP LOCKED` keeps them out of each other's way.
 */
@Injectable()
export class InstancePruner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Liveness');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly instances: InstanceRepository,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  onModuleInit(): void {
    const period = Math.max(1000, this.environment.heartbeatExpiryMs);
    this.timer = setInterval(() => {
      this.running ??= this.prune()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
        });
    }, period);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One bounded run; returns the rows deleted. */
  async prune(): Promise<number> {
    const retentionMs = INSTANCE_RETENTION_EXPIRIES * this.environment.heartbeatExpiryMs;
    let deleted = 0;
    try {
      for (let batch = 0; batch < PRUNE_BATCHES_PER_RUN; batch++) {
        const count = await this.instances.prune(retentionMs, PRUNE_BATCH);
        deleted += count;
        if (count < PRUNE_BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`cannot prune silent instances: ${(error as Error).message}`);
    }
    return deleted;
  }
}
