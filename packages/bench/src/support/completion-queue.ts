import { type Channel } from 'amqplib';
import { type TestNamespace } from '@org/testkit';

/**
 * A durable quorum queue for a requester's completions (replies, responses or events), deleted at
 * the namespace's cleanup. Quorum on both sides of every comparison, so no baseline gets a
 * cheaper (non-replicated, non-fsynced) reply path than the system.
 */
export async function completionQueue(
  ns: TestNamespace,
  suffix: string,
  bind?: { exchange: string; pattern: string },
): Promise<string> {
  const name = `${ns.name}.bench.${suffix}`;
  const channel: Channel = ns.channel;
  await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  if (bind) await channel.bindQueue(name, bind.exchange, bind.pattern);
  ns.defer(async () => {
    const cleanup = await ns.connection.createChannel();
    cleanup.on('error', () => undefined);
    await cleanup.deleteQueue(name).catch(() => undefined);
    await cleanup.close().catch(() => undefined);
  });
  return name;
}
