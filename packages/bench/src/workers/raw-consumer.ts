/**
 * The raw baseline's consumer: plain amqplib, no protocol. It takes a message off the work queue,
 * publishes a persistent reply on a confirm channel and acks the work only once the reply is
 * confirmed, the same durability rule the SDK follows.
 */
import { connect } from 'amqplib';
import { nowMs } from '../support/clock';
import { requiredEnv, runChild } from './child-main';

runChild(async () => {
  const connection = await connect(requiredEnv('BENCH_AMQP_URL'));
  const channel = await connection.createConfirmChannel();
  const replyQueue = requiredEnv('BENCH_REPLY_QUEUE');
  await channel.prefetch(Number(requiredEnv('BENCH_PREFETCH')));
  await channel.consume(requiredEnv('BENCH_WORK_QUEUE'), (message) => {
    if (!message) return;
    const startedAt = String(nowMs());
    channel.sendToQueue(
      replyQueue,
      Buffer.from(startedAt),
      { persistent: true, correlationId: message.properties.correlationId as string },
      (error) => (error ? channel.nack(message) : channel.ack(message)),
    );
  });
  return async () => {
    await connection.close().catch(() => undefined);
  };
});
