/**
 * The BullMQ baseline's worker process: one noop `Worker` at the bench's concurrency; with
 * `BENCH_CHAIN_QUEUE` set, its processor adds the step 2 job to that queue (the way a BullMQ user
 * chains two steps) and a second worker of the same concurrency runs step 2.
 */
import { Queue, Worker } from 'bullmq';
import { redisConnection } from '../support/redis-connection';
import { requiredEnv, runChild } from './child-main';

runChild(async () => {
  const connection = redisConnection(requiredEnv('BENCH_REDIS_URL'));
  const prefix = requiredEnv('BENCH_PREFIX');
  const concurrency = Number(requiredEnv('BENCH_CONCURRENCY'));
  const chainQueueName = process.env['BENCH_CHAIN_QUEUE'];
  const chainQueue = chainQueueName ? new Queue(chainQueueName, { connection, prefix }) : undefined;
  const workers = [
    new Worker(
      requiredEnv('BENCH_QUEUE'),
      async (job) => {
        if (chainQueue) await chainQueue.add('step2', job.data);
        return 'ok';
      },
      { connection, prefix, concurrency },
    ),
  ];
  if (chainQueueName)
    workers.push(
      new Worker(chainQueueName, () => Promise.resolve('ok'), { connection, prefix, concurrency }),
    );
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await chainQueue?.close();
  };
});
