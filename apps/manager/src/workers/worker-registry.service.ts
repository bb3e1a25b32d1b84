import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { RegistrationRepository, type RegistrationRecord } from './registration.repository';

/**
 * This replica's copy of the latest registration of every worker type (description, version,
 * contract, payload JSON Schema), kept in PostgreSQL so it survives restarts. Every
 * `WM_LIVENESS_POLL_MS` it compares the stored revisions with its own and fetches only the types
 * that changed; a replica that stores a registration reads again at once.
 */
@Injectable()
export class WorkerRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Registrations');
  private registrations = new Map<string, RegistrationRecord>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly repository: RegistrationRepository,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

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

  /** The latest registration of `type`, or undefined when none was ever stored. */
  get(type: string): RegistrationRecord | undefined {
    return this.registrations.get(type);
  }

  /** Every stored registration, by type. */
  all(): RegistrationRecord[] {
    return [...this.registrations.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
  }

  /** Reads again as soon as possible (reads never overlap; requests during one collapse). */
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
    try {
      const revisions = await this.repository.revisionsByType();
      const changed = [...revisions]
        .filter(([type, revision]) => this.registrations.get(type)?.revision !== revision)
        .map(([type]) => type);
      const fetched = await this.repository.find(changed);
      const next = new Map(this.registrations);
      for (const type of next.keys()) if (!revisions.has(type)) next.delete(type);
      for (const registration of fetched) next.set(registration.type, registration);
      this.registrations = next;
      this.failures = 0;
    } catch (error) {
      if (this.failures++ % 100 === 0)
        this.logger.warn(`cannot read worker registrations: ${(error as Error).message}`);
    }
  }
}
