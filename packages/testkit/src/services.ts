import { Socket } from 'node:net';
import { existsSync } from 'node:fs';

/** Documented local defaults, the same as the manager's. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function amqpUrl(): string {
  return process.env['AMQP_URL'] ?? DEFAULT_AMQP_URL;
}

export function databaseUrl(): string {
  return process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
}

/** True when something accepts TCP connections at the URL's host and port within `timeoutMs`. */
export function answers(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || defaultPort), hostname.replace(/^\[|\]$/g, ''), () => done(true));
  });
}

/** A Docker engine is reachable (not just the docker client installed). */
export function dockerEngineAvailable(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}
