import { type StartedTestContainer } from 'testcontainers';
import { amqpUrl, answers, databaseUrl, dockerEngineAvailable } from './services';

declare global {
  var __testkitContainers: StartedTestContainer[] | undefined;
}

/**
 * Jest global setup: use the broker and database at `AMQP_URL` / `DATABASE_URL` (or the local
 * defaults) when they answer; otherwise start them with testcontainers when a Docker engine is
 * present; otherwise fail with what to do. The chosen URLs are exported to every test worker.
 */
export default async function globalSetup(): Promise<void> {
  const containers: StartedTestContainer[] = [];
  if (!(await answers(amqpUrl(), 5672))) {
    if (!dockerEngineAvailable()) {
      throw new Error(
        `RabbitMQ does not answer at ${amqpUrl()} and no Docker engine is available: start RabbitMQ (rabbitmq-server -detached) or set AMQP_URL`,
      );
    }
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const rabbit = await new RabbitMQContainer('rabbitmq:4-management').start();
    containers.push(rabbit);
    process.env['AMQP_URL'] = rabbit.getAmqpUrl();
  }
  if (!(await answers(databaseUrl(), 5432))) {
    if (!dockerEngineAvailable()) {
      throw new Error(
        `PostgreSQL does not answer at ${databaseUrl()} and no Docker engine is available: start PostgreSQL or set DATABASE_URL`,
      );
    }
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const postgres = await new PostgreSqlContainer('postgres:17-alpine').start();
    containers.push(postgres);
    process.env['DATABASE_URL'] = postgres.getConnectionUri();
  }
  process.env['AMQP_URL'] = amqpUrl();
  process.env['DATABASE_URL'] = databaseUrl();
  globalThis.__testkitContainers = [...(globalThis.__testkitContainers ?? []), ...containers];
}
