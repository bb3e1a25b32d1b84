import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { Reaper } from './reaper';
import { databaseUrl } from './services';

export interface PgBouncerOptions {
  /** Server connections per database/user pair (`default_pool_size`). @default 5 */
  readonly poolSize?: number;
  /** `pool_mode`. @default 'transaction' */
  readonly poolMode?: 'transaction' | 'session';
  /** The PostgreSQL it pools. @default DATABASE_URL (testkit's) */
  readonly databaseUrl?: string;
}

/** One row of the admin console's `SHOW POOLS`, the columns this helper reads. */
export interface PoolFigures {
  readonly database: string;
  /** Client connections linked to a server connection or waiting for one. */
  readonly clients: number;
  /** Server connections open to PostgreSQL (active, idle, used, tested, logging in). */
  readonly servers: number;
}

/**
 * A real PgBouncer (the installed `pgbouncer`, Debian's 1.18) on a free port in front of the
 * test PostgreSQL, in transaction mode unless told otherwise, for tests. Its log is kept so a
 * test can check the pooler reported nothing; {@link pools} reads its admin console. Stopped and
 * removed by {@link stop}, or by a {@link Reaper} if the test process dies first.
 *
 * ```ts
 * const bouncer = await PgBouncer.start({ poolSize: 5 });
 * try { connect(bouncer.url()) … expect(bouncer.problems()).toEqual([]) } finally { await bouncer.stop() }
 * ```
 */
export class PgBouncer {
  private exited = false;

  private constructor(
    readonly port: number,
    readonly poolSize: number,
    private readonly target: URL,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly reaper: Reaper,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  /** Why PgBouncer cannot be started here, or undefined when it can. */
  static unavailableReason(): string | undefined {
    if (!binary()) return 'pgbouncer is not installed (apt-get install pgbouncer)';
    if (userInfo().username === 'root' && !systemUser()) {
      return 'pgbouncer refuses to run as root and there is no postgres or nobody user to run it as';
    }
    return undefined;
  }

  static async start(options: PgBouncerOptions = {}): Promise<PgBouncer> {
    const reason = PgBouncer.unavailableReason();
    if (reason) throw new Error(`cannot start PgBouncer: ${reason}`);
    const target = new URL(options.databaseUrl ?? databaseUrl());
    const poolSize = options.poolSize ?? 5;
    const port = await freePort();
    const dir = join(tmpdir(), `wm${randomBytes(3).toString('hex')}-pgbouncer`);
    mkdirSync(join(dir, 'pids'), { recursive: true });
    const reaper = new Reaper(dir);
    const user = decodeURIComponent(target.username || 'postgres');
    const password = decodeURIComponent(target.password);
    writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`);
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        // Every database name the client asks for, on the test server.
        `* = host=${target.hostname} port=${target.port || '5432'}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        // The test server trusts local connections; the pooler does not check passwords either.
        'auth_type = trust',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        `admin_users = ${user}`,
        `pool_mode = ${options.poolMode ?? 'transaction'}`,
        `default_pool_size = ${poolSize}`,
        'min_pool_size = 0',
        'reserve_pool_size = 0',
        `max_db_connections = ${poolSize}`,
        'max_client_conn = 500',
        `logfile = ${join(dir, 'pgbouncer.log')}`,
        `pidfile = ${join(dir, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    const runAs = userInfo().username === 'root' ? systemUser() : undefined;
    if (runAs) chownTree(dir, runAs.uid, runAs.gid);
    const child = spawn(binary()!, [join(dir, 'pgbouncer.ini')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    if (child.pid !== undefined) writeFileSync(reaper.pidFile('pgbouncer'), String(child.pid));
    const bouncer = new PgBouncer(port, poolSize, target, child, dir, reaper);
    try {
      await bouncer.waitUntilListening(() => stderr);
      return bouncer;
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
  }

  /** `postgres://<user>@127.0.0.1:<port>/<database>`: the target's URL, through the pooler. */
  url(database?: string): string {
    const url = new URL(this.target.toString());
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    if (database !== undefined) url.pathname = `/${database}`;
    return url.toString();
  }

  /** Everything PgBouncer logged so far. */
  log(): string {
    const file = join(this.dir, 'pgbouncer.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Log lines at WARNING level or worse: a pooler error sent to a client, a server lost… */
  problems(): string[] {
    return this.log()
      .split('\n')
      .filter((line) => /\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line));
  }

  /** `SHOW POOLS` from the admin console (the user of the target URL is an admin). */
  async pools(): Promise<PoolFigures[]> {
    const admin = new Client({ connectionString: this.url('pgbouncer') });
    await admin.connect();
    try {
      const { rows } = await admin.query<Record<string, string>>('SHOW POOLS');
      const count = (row: Record<string, string>, ...columns: string[]) =>
        columns.reduce((sum, column) => sum + Number(row[column] ?? 0), 0);
      return rows.map((row) => ({
        database: String(row['database']),
        clients: count(row, 'cl_active', 'cl_waiting'),
        servers: count(row, 'sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'),
      }));
    } finally {
      await admin.end();
    }
  }

  /** Stops PgBouncer (SIGINT: at once) and removes its folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.exited && this.child.exitCode === null) {
      let timer: NodeJS.Timeout | undefined;
      const gone = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await Promise.race([gone, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
    }
    this.reaper.reapNow();
    this.reaper.release();
  }

  private async waitUntilListening(stderr: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`pgbouncer exited at start:\n${stderr()}\n${this.log()}`);
      }
      try {
        await this.pools();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`pgbouncer did not answer on port ${this.port}:\n${this.log()}`);
  }
}

function binary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    if (dir !== '' && existsSync(join(dir, 'pgbouncer'))) return join(dir, 'pgbouncer');
  }
  return undefined;
}

// PgBouncer refuses to run as root: as root, run it as the postgres user (or nobody).
function systemUser(): { uid: number; gid: number } | undefined {
  const users = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const fields = users.find((candidate) => candidate[0] === name);
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of ['pids', 'userlist.txt', 'pgbouncer.ini']) {
    chownSync(join(dir, entry), uid, gid);
  }
}
