import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AmqpService } from '../messaging/amqp.service';
import { type ReadinessCheck, type ReadinessReport } from './readiness';

/** A probe must answer quickly even when the database hangs, or the orchestrator's own timeout hides the reason. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * Readiness: the broker connection is up, the database answers, and every migration this
 * version knows is applied (a replica of a newer version that started before its migration ran
 * is not ready). Liveness only says the process serves HTTP: restarting a replica does not fix
 * a broker or database outage.
 */
@Injectable()
export class HealthService {
  private stopping = false;

  constructor(
    private readonly amqp: AmqpService,
    private readonly dataSource: DataSource,
  ) {}

  /** From SIGTERM on, the replica says it is not ready so the load balancer stops sending it calls. */
  markStopping(): void {
    this.stopping = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const checks = await Promise.all([this.broker(), this.database(), this.migrations()]);
    if (this.stopping)
      checks.push({ name: 'shutdown', ok: false, detail: 'the replica is stopping' });
    return { status: checks.every((check) => check.ok) ? 'ready' : 'not ready', checks };
  }

  private broker(): Promise<ReadinessCheck> {
    const ok = this.amqp.isConnected();
    return Promise.resolve({
      name: 'broker',
      ok,
      detail: ok ? 'connected' : 'no broker connection (reconnecting)',
    });
  }

  private async database(): Promise<ReadinessCheck> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 'the database did not answer');
      return { name: 'database', ok: true, detail: 'reachable' };
    } catch (error) {
      return { name: 'database', ok: false, detail: (error as Error).message };
    }
  }

  private async migrations(): Promise<ReadinessCheck> {
    try {
      const pending = await withTimeout(
        this.dataSource.showMigrations(),
        'the migrations table could not be read',
      );
      return pending
        ? {
            name: 'migrations',
            ok: false,
            detail:
              'migrations are pending: run them (pnpm --filter @org/manager migrate) or restart a replica',
          }
        : { name: 'migrations', ok: true, detail: 'applied' };
    } catch (error) {
      return { name: 'migrations', ok: false, detail: (error as Error).message };
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${message} within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
