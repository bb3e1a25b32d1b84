import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisVersion } from './redis';

/** The Redis binary the durable baseline starts. @default 'redis-server' (on PATH) */
function redisServerBinary(): string {
  return process.env['BENCH_REDIS_SERVER'] ?? 'redis-server';
}

/**
 * A second Redis started by the bench for the durable BullMQ baseline: `appendonly yes`,
 * `appendfsync always` (every write reaches the disk before Redis answers, as a job system that
 * loses nothing needs), no RDB snapshots, its files in a temporary directory removed at stop.
 * Redis groups the writes of one event-loop turn into one fsync, which is why durability costs
 * BullMQ little: the comparison this project's batched path has to win.
 */
export class DurableRedis {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    readonly version: string,
  ) {}

  /** Starts the server and resolves once it answers; undefined when no redis-server can start. */
  static async start(): Promise<DurableRedis | undefined> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
    const child = spawn(
      redisServerBinary(),
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const failed = new Promise<undefined>((resolve) => {
      child.once('error', () => resolve(undefined));
      child.once('exit', () => resolve(undefined));
    });
    const url = `redis://127.0.0.1:${port}`;
    const answered = (async () => {
      for (let tries = 0; tries < 100; tries++) {
        const version = await redisVersion(url);
        if (version !== undefined) return version;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    })();
    const version = await Promise.race([answered, failed]);
    if (version === undefined) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
    return new DurableRedis(child, dir, url, version);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
