import { createServer } from 'node:net';
import { useTestNamespace } from '@org/testkit';
import { createWorker, type Worker, type WorkerHandler } from '@org/worker-sdk';
import { resolveWorkerOptions } from '../src/worker-options';
import { declareManagerTopology, memoryLogger } from './support/broker';

const handler: WorkerHandler = (_job, ctx) => ctx.success();

/** A local port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('broker URLs (the nodes of a cluster)', () => {
  it('takes a comma-separated string, an array or AMQP_URL, in order', () => {
    const a = 'amqp://u:p@node-a:5672';
    const b = 'amqps://u:p@node-b:5671/vhost';
    expect(resolveWorkerOptions({ type: 't', handler, amqpUrl: `${a}, ${b}` }).amqpUrls).toEqual([
      a,
      b,
    ]);
    expect(resolveWorkerOptions({ type: 't', handler, amqpUrl: [b, a] }).amqpUrls).toEqual([b, a]);
    expect(
      resolveWorkerOptions({ type: 't', handler }, { AMQP_URL: `${a},${b}` }).amqpUrls,
    ).toEqual([a, b]);
  });

  it('checks every URL at creation and never shows a password', () => {
    const attempt = () =>
      resolveWorkerOptions({
        type: 't',
        handler,
        amqpUrl: 'amqp://u:s3cret@node-a,,http://u:s3cret@node-c,amqp://u:s3cret@[bad',
      });
    expect(attempt).toThrow(/URL 2 of 4\) is empty/);
    expect(attempt).toThrow(/URL 3 of 4\) "http:\/\/u:\*\*\*@node-c\/?" must use amqp: or amqps:/);
    expect(attempt).toThrow(/URL 4 of 4\) "amqp:\/\/u:\*\*\*@\[bad" is not a URL/);
    expect(attempt).not.toThrow(/s3cret/);
    expect(() => resolveWorkerOptions({ type: 't', handler, amqpUrl: [] })).toThrow(
      /at least one broker URL/,
    );
  });

  describe('on the broker', () => {
    const ns = useTestNamespace();
    let worker: Worker | undefined;

    afterEach(async () => {
      await worker?.stop();
      worker = undefined;
    });

    it('starts on the next URL when the first refuses the connection', async () => {
      await declareManagerTopology(ns(), 'failover');
      const logger = memoryLogger();
      const dead = `amqp://guest:s3cret@127.0.0.1:${await closedPort()}`;
      worker = createWorker({
        type: 'failover',
        namespace: ns().name,
        amqpUrl: [dead, ns().amqpUrl],
        handleSignals: false,
        logger,
        handler,
      });
      await worker.start();
      expect(worker.stats().state).toBe('running');
      const refused = logger.entries.find((entry) => entry.msg === 'cannot connect to the broker');
      expect(refused?.fields['url']).toMatch(/^amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+/);
      expect(JSON.stringify(logger.entries)).not.toContain('s3cret');
    });
  });
});
