import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { queryConfig, type Statement, type Tx } from '../database/database.service';

/** Connections of a replica's liveness pool. */
const LIVENESS_POOL_SIZE = 2;

/**
 * A replica's own two connections for worker liveness (lease writes and reads), apart from the
 * request engine's pool: a backlog of requests holding every pooled connection must not delay a
 * heartbeat's lease past the expiry, which would make live workers look dead.
 */
@Injectable()
export class LivenessDatabase implements OnApplicationShutdown {
  private readonly pool: Pool;
  /** Named statements, unless a transaction pooler sits in front (`WM_DATABASE_POOLER`). */
  private readonly named: boolean;

  constructor(@Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment) {
    this.named = environment.databasePooler !== 'transaction';
    this.pool = new Pool({
      connectionString: environment.databaseUrl,
      max: LIVENESS_POOL_SIZE,
      application_name: `wm-manager:${environment.namespace}:liveness`,
    });
    // An idle connection the server ended is replaced at the next query.
    this.pool.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** One statement in autocommit. */
  async query<R extends QueryResultRow>(
    statement: Statement,
    values: readonly unknown[],
  ): Promise<R[]> {
    const result = await this.pool.query<R>(queryConfig(statement, values, this.named));
    return result.rows;
  }

  /** Runs `body` in one transaction (a failure rolls back and rejects; the caller retries). */
  async transaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await body(txOf(client, this.named));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

function txOf(client: PoolClient, named: boolean): Tx {
  return {
    // Liveness transactions hold no in-memory bookkeeping to undo.
    onRollback(): void {},
    async query<R extends QueryResultRow>(
      statement: Statement,
      values: readonly unknown[],
    ): Promise<R[]> {
      const result = await client.query<R>(queryConfig(statement, values, named));
      return result.rows;
    },
  };
}
