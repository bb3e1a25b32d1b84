import { Redis } from 'ioredis';

/** Where the BullMQ baseline finds Redis. @default redis://127.0.0.1:6379 */
export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** The server's version, or `undefined` when nothing answers within two seconds. */
export async function redisVersion(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    const version = `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
    // Persistence decides whether BullMQ pays for the disk at all: say which it is.
    const persistence = await client
      .config('GET', 'appendonly')
      .then(async (aof) => {
        const save = await client.config('GET', 'save');
        return `appendonly ${String(aof[1])}, save "${save[1] ?? ''}"`;
      })
      .catch(() => 'persistence unknown');
    return `${version} (${persistence})`;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
