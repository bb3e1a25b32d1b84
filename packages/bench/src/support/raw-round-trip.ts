import { randomUUID } from 'node:crypto';
import { createTestNamespace, type TestNamespace } from '@org/testkit';
import { Child } from './child-process';
import { completionQueue } from './completion-queue';
import { runPaced } from './load';
import { percentiles, type Percentiles } from './percentiles';
import { WORKER_SCRIPTS } from './paths';
import { type Publishable, Requester } from './requester';

/**
 * The raw broker round trip in its own namespace: requester → quorum queue → noop consumer
 * (child process, prefetch = concurrency) → quorum reply queue → requester, persistent messages
 * and publisher confirms on both legs. The physical limit of this design on this machine, for
 * throughput (the raw scenario) and for latency at a given offered rate (the latency scenario).
 */
export class RawRoundTrip {
  private constructor(
    private readonly ns: TestNamespace,
    readonly consumer: Child,
    readonly requester: Requester,
    private readonly workQueue: string,
  ) {}

  static async start(prefix: string, prefetch: number): Promise<RawRoundTrip> {
    const ns = await createTestNamespace(prefix);
    try {
      const workQueue = await completionQueue(ns, 'work');
      const replyQueue = await completionQueue(ns, 'replies');
      const consumer = await Child.start(WORKER_SCRIPTS.raw, {
        logName: `${prefix}-consumer`,
        env: {
          ...process.env,
          BENCH_AMQP_URL: ns.amqpUrl,
          BENCH_WORK_QUEUE: workQueue,
          BENCH_REPLY_QUEUE: replyQueue,
          BENCH_PREFETCH: String(prefetch),
        },
      });
      ns.defer(() => consumer.stop());
      const requester = await Requester.open({
        amqpUrl: ns.amqpUrl,
        completionQueue: replyQueue,
        completionId: (message) => message.properties.correlationId as string | undefined,
      });
      ns.defer(() => requester.close());
      return new RawRoundTrip(ns, consumer, requester, workQueue);
    } catch (error) {
      await ns.cleanup();
      throw error;
    }
  }

  /** One round trip's message. */
  readonly build = (): { id: string; message: Publishable } => {
    const id = randomUUID();
    return {
      id,
      message: {
        exchange: '',
        routingKey: this.workQueue,
        content: Buffer.from('{}'),
        options: { persistent: true, correlationId: id, messageId: id },
      },
    };
  };

  /** Round-trip latency at a fixed offered rate for `seconds`. */
  async paced(rate: number, seconds: number): Promise<Percentiles> {
    this.requester.reset();
    await runPaced(this.requester, rate, seconds, this.build, 60_000, 'raw paced');
    return percentiles(
      this.requester.completions.map((done) => done.at - this.requester.submittedAt.get(done.id)!),
    );
  }

  async stop(): Promise<void> {
    await this.ns.cleanup();
  }
}
