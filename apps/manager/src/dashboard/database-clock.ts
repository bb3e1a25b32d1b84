import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement } from '../database/database.service';

/**
 * The database's clock. Instances' `last_seen` is written by it and their liveness judged by it,
 * so the workers page measures heartbeat ages with it too: the page and the change signals agree
 * on "stale" whatever this process's clock says.
 */
@Injectable()
export class DatabaseClock {
  private readonly nowStatement: Statement;

  constructor(private readonly database: DatabaseService) {
    this.nowStatement = database.statement('dashboard-now', 'SELECT now() AS now');
  }

  async now(): Promise<number> {
    const [row] = await this.database.query<{ now: Date }>(this.nowStatement, []);
    return row ? row.now.getTime() : Date.now();
  }
}
