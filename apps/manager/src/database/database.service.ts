import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Pool, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';

/**
 * A statement with a stable name, so PostgreSQL plans it once per connection. Behind a
 * transaction pooler (`WM_DATABASE_POOLER=transaction`) the name is not sent: a statement
 * prepared on one server connection does not exist on the next one the pooler hands out.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** What a transaction body gets: prepared-statement queries on one connection. */
export interface Tx {
  query<R extends QueryResultRow>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
  /**
   * Runs `undo` if the transaction does not commit (its body threw, or COMMIT failed): for
   * in-memory bookkeeping done on the transaction's behalf, such as bytes reserved for rows it
   * claimed.
   */
  onRollback(undo: () => void): void;
}

// Deadlocks and serialization failures are resolved by running the transaction again.
const RETRYABLE_CODES = new Set(['40P01', '40001']);

/**
 * Raw SQL access for the hot paths, on the pg pool TypeORM already owns (no second pool, no
 * entity hydration). Table names are qualified with the namespace's schema.
 *
 * Safe behind PgBouncer in transaction mode: it keeps no session state (no `SET`, `LISTEN`,
 * advisory lock or SQL `PREPARE`; anything session-level goes over `DATABASE_DIRECT_URL`), and
 * with `WM_DATABASE_POOLER=transaction` it sends unnamed statements.
 */
@Injectable()
export class DatabaseService {
  private readonly logger = new Logger('Database');
  readonly schema: string;
  private readonly pool: Pool;
  private readonly namedStatements: boolean;

  constructor(
    readonly dataSource: DataSource,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.schema = environment.namespace;
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
    this.namedStatements = environment.databasePooler !== 'transaction';
  }

  /** `"<schema>".<table>`: the schema name is a validated namespace, safe to quote. */
  table(name: string): string {
    return `"${this.schema}".${name}`;
  }

  /** Declares a named statement (the name is made unique per schema). */
  statement(name: string, text: string): Statement {
    return { name: `${this.schema}:${name}`, text };
  }

  /** One statement in autocommit. */
  async query<R extends QueryResultRow>(
    statement: Statement,
    values: readonly unknown[],
  ): Promise<R[]> {
    return this.withRetry(async () => {
      const result = await this.pool.query<R>(queryConfig(statement, values, this.namedStatements));
      return result.rows;
    });
  }

  /**
   * One statement built at run time (dynamic filters), sent unnamed: PostgreSQL plans it each
   * time, and no prepared statement piles up per shape.
   */
  async queryText<R extends QueryResultRow>(
    text: string,
    values: readonly unknown[],
  ): Promise<R[]> {
    return this.withRetry(async () => (await this.pool.query<R>(text, [...values])).rows);
  }

  /** Runs `body` in one transaction, again from the start after a deadlock. */
  async transaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    return this.withRetry(async () => {
      const client = await this.pool.connect();
      let broken = false;
      // A checked-out client has lost the pool's idle error listener: if the server ends the
      // connection while the body awaits something else (PostgreSQL stopped or restarted), pg
      // emits 'error' with no listener and the process dies (found by the fault suite,
      // scenario 6). Note it instead; the next query fails, and the client is discarded.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      const undos: Array<() => void> = [];
      try {
        await client.query('BEGIN');
        const result = await body(txOf(client, this.namedStatements, undos));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        for (const undo of undos.splice(0)) undo();
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    });
  }

  private async withRetry<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || code === undefined || !RETRYABLE_CODES.has(code)) throw error;
        this.logger.warn(
          `transaction aborted (${code}), running it again (attempt ${attempt + 1})`,
        );
      }
    }
  }
}

function txOf(client: PoolClient, named: boolean, undos: Array<() => void>): Tx {
  return {
    onRollback(undo: () => void): void {
      undos.push(undo);
    },
    async query<R extends QueryResultRow>(
      statement: Statement,
      values: readonly unknown[],
    ): Promise<R[]> {
      const result = await client.query<R>(queryConfig(statement, values, named));
      return result.rows;
    },
  };
}

/** A statement as pg sends it: named (planned once per connection) or, behind a transaction pooler, unnamed. */
export function queryConfig(
  statement: Statement,
  values: readonly unknown[],
  named: boolean,
): QueryConfig {
  return named
    ? { name: statement.name, text: statement.text, values: [...values] }
    : { text: statement.text, values: [...values] };
}

/** True for errors that go away by themselves (connection lost, server restarting, deadlock). */
export function isTransientError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(08|57P|53|40)/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code))
      return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not connected/i.test(
    message,
  );
}
