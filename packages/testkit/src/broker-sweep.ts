import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { amqpUrl } from './services';

const run = promisify(execFile);

/**
 * Names of queues a test namespace created: `<prefix>_<8 hex>.` then anything
 * ({@link createTestNamespace}). Production namespaces (`wm` by default) never match.
 */
export const TEST_QUEUE_PATTERN = /^[a-z][a-z0-9-]*_[0-9a-f]{8}\./;

/** What one sweep found and did. */
export interface SweepResult {
  /** Queues on the broker before the sweep. */
  readonly total: number;
  /** Test queues deleted. */
  readonly deleted: number;
}

/**
 * Deletes every queue a test namespace left on the local broker. A test run killed half-way (or a
 * test whose worker types its cleanup did not know) leaves quorum queues behind; each is a Raft
 * group with its own processes and log, and a few hundred of them slowed the local RabbitMQ 3.10
 * node until it stopped answering AMQP handshakes. CI sweeps before and between its suites.
 *
 * The queues are listed with `rabbitmqctl` (the broker here has no management plugin) and deleted
 * over AMQP. Never run it while another test run uses the same broker: its queues match too.
 *
 * @param match which queues to delete. @default {@link TEST_QUEUE_PATTERN}
 */
export async function sweepTestQueues(
  match: RegExp = TEST_QUEUE_PATTERN,
  url = amqpUrl(),
): Promise<SweepResult> {
  const { stdout } = await run('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], {
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const names = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const leftovers = names.filter((name) => match.test(name));
  if (leftovers.length === 0) return { total: names.length, deleted: 0 };
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    for (const name of leftovers) await channel.deleteQueue(name);
    await channel.close();
  } finally {
    await connection.close().catch(() => undefined);
  }
  return { total: names.length, deleted: leftovers.length };
}
