import { cpus, loadavg, totalmem } from 'node:os';
import { execFile } from 'node:child_process';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { amqpUrl, databaseUrl } from '@org/testkit';
import { redisUrl, redisVersion } from './support/redis';

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly rabbitmq: string;
  readonly postgresql: string;
  readonly redis: string;
  readonly date: string;
  /** 1-minute load average when the run started: other work on the machine makes figures noisy. */
  readonly loadAverage: number;
}

/** Describes the machine, asking each server its own version rather than trusting a config file. */
export async function describeMachine(): Promise<Machine> {
  const [rabbitmq, postgresql, redis] = await Promise.all([
    rabbitVersion(),
    postgresVersion(),
    redisVersion(redisUrl()),
  ]);
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    rabbitmq,
    postgresql,
    redis: redis ?? 'not running',
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

async function rabbitVersion(): Promise<string> {
  try {
    const connection = await connect(amqpUrl());
    const properties = connection.connection.serverProperties;
    await connection.close();
    return `${properties.product ?? 'RabbitMQ'} ${properties.version ?? '?'}`;
  } catch {
    return rabbitmqctlVersion();
  }
}

function rabbitmqctlVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('rabbitmqctl', ['version'], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? 'unknown' : `RabbitMQ ${stdout.trim()}`),
    );
  });
}

async function postgresVersion(): Promise<string> {
  const client = new Client({ connectionString: databaseUrl() });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; autovacuum: string }>(
      `SELECT version(), current_setting('autovacuum') AS autovacuum`,
    );
    // "PostgreSQL 16.4 (Debian …) on x86_64-pc-linux-gnu, compiled by …": the first words say enough.
    const version = rows[0]?.version.split(' on ')[0] ?? 'unknown';
    // Without autovacuum the dead rows of every request accumulate through a run, and the
    // database's cost per request grows with n (0.18 → 0.42 ms here from n = 10,000 to 30,000):
    // the figures then depend on it, so the machine line says so.
    return rows[0]?.autovacuum === 'off' ? `${version}, autovacuum off` : version;
  } catch {
    return 'unknown';
  } finally {
    await client.end().catch(() => undefined);
  }
}
