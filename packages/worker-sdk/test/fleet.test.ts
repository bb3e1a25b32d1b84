import { type ConsumeMessage } from 'amqplib';
import { HEADERS } from '@org/protocol';
import { deferred, MessageCollector, useTestNamespace, waitFor } from '@org/testkit';
import { createWorker, type Worker } from '@org/worker-sdk';
import { killWorker } from '@org/worker-sdk/testing';
import { declareManagerTopology, job, memoryLogger, publish } from './support/broker';

const TYPE = 'bulk';
const JOBS = 1000;
const INSTANCES = 3;

interface Run {
  readonly requestId: string;
  readonly instance: string;
  readonly redelivered: boolean;
}

// Real broker round trips; the preset's timeout does not apply when Jest runs from the root.

describe('a fleet of 3 instances with concurrency 4', () => {
  const ns = useTestNamespace();
  let fleet: Worker[] = [];

  afterEach(async () => {
    await Promise.all(fleet.map((worker) => worker.stop()));
    fleet = [];
  });

  async function startFleet(
    runs: Run[],
    onRun: (instance: number) => void = () => undefined,
  ): Promise<MessageCollector> {
    await declareManagerTopology(ns(), TYPE);
    const responses = await MessageCollector.start(
      ns().channel,
      ns().names.exchanges.responses,
      `success.${TYPE}`,
    );
    fleet = Array.from({ length: INSTANCES }, (_, index) =>
      createWorker({
        type: TYPE,
        namespace: ns().name,
        amqpUrl: ns().amqpUrl,
        instanceId: `bulk-${index}`,
        concurrency: 4,
        reportRunning: false,
        handleSignals: false,
        logger: memoryLogger(),
        handler: (j, ctx) => {
          runs.push({
            requestId: j.requestId,
            instance: `bulk-${index}`,
            redelivered: j.redelivered,
          });
          onRun(index);
          return ctx.success({ body: j.body });
        },
      }),
    );
    await Promise.all(fleet.map((worker) => worker.start()));
    return responses;
  }

  const publishJobs = () =>
    publish(ns(), ...Array.from({ length: JOBS }, (_, i) => job(ns(), TYPE, `job-${i}`)));

  const requestIdOf = (message: ConsumeMessage) =>
    String(message.properties.headers?.[HEADERS.requestId]);
  const workerIdOf = (message: ConsumeMessage) =>
    String(message.properties.headers?.[HEADERS.workerId]);

  function answersPerRequest(responses: MessageCollector): Map<string, number> {
    const counts = new Map<string, number>();
    for (const message of responses.messages)
      counts.set(requestIdOf(message), (counts.get(requestIdOf(message)) ?? 0) + 1);
    return counts;
  }

  async function expectQueueEmpty(): Promise<void> {
    const { messageCount } = await ns().channel.checkQueue(ns().names.workerQueue(TYPE));
    expect(messageCount).toBe(0);
  }

  it('answers each of 1,000 jobs exactly once', async () => {
    const runs: Run[] = [];
    const responses = await startFleet(runs);
    await publishJobs();
    await waitFor(() => answersPerRequest(responses).size === JOBS, {
      timeoutMs: 60_000,
      what: `${JOBS} answered jobs`,
    });
    // Stopping waits for everything in flight, so a late duplicate would show up by now.
    await Promise.all(fleet.map((worker) => worker.stop()));
    const counts = answersPerRequest(responses);
    expect(counts.size).toBe(JOBS);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(responses.messages).toHaveLength(JOBS);
    expect(runs).toHaveLength(JOBS);
    // The body round-trips and every instance took a share.
    const sample = responses.messages.find((m) => requestIdOf(m) === 'job-7')!;
    expect(JSON.parse(sample.content.toString())).toEqual({ n: 'job-7' });
    const perInstance = new Set(responses.messages.map(workerIdOf));
    expect(perInstance).toEqual(new Set(['bulk-0', 'bulk-1', 'bulk-2']));
    await expectQueueEmpty();
  });

  it('loses nothing when one instance dies mid-run; duplicates are limited to its in-flight jobs', async () => {
    const runs: Run[] = [];
    const killed = deferred<string[]>();
    let victimRuns = 0;
    // The victim dies in the middle of its 100th job, so at least that one is in flight.
    const responses = await startFleet(runs, (instance) => {
      if (instance === 0 && ++victimRuns === 100) killed.resolve(killWorker(fleet[0]!));
    });
    const survivors = fleet.slice(1);
    await publishJobs();
    const inFlight = await killed.promise;
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.length).toBeLessThanOrEqual(4);

    await waitFor(() => answersPerRequest(responses).size === JOBS, {
      timeoutMs: 60_000,
      what: `${JOBS} answered jobs`,
    });
    await Promise.all(survivors.map((worker) => worker.stop()));

    const counts = answersPerRequest(responses);
    expect(counts.size).toBe(JOBS);
    // The jobs the broker redelivered are the victim's unacked ones: those it was working on, plus
    // any whose ack was still in its socket buffer or that were on their way to it. Prefetch 4
    // bounds them all, and survivors (whose connections never dropped) got nothing twice.
    const redelivered = new Set(runs.filter((run) => run.redelivered).map((run) => run.requestId));
    expect(redelivered.size).toBeLessThanOrEqual(4);
    expect(inFlight.every((id) => redelivered.has(id))).toBe(true);
    // Every job the victim was working on was answered by a survivor.
    for (const id of inFlight) {
      expect(runs).toContainEqual({
        requestId: id,
        instance: expect.not.stringMatching(/^bulk-0$/) as string,
        redelivered: true,
      });
      expect(
        responses.messages.some((m) => requestIdOf(m) === id && workerIdOf(m) !== 'bulk-0'),
      ).toBe(true);
    }
    // Duplicate answers only for those jobs, and counted.
    const duplicates = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    expect(duplicates.every((id) => redelivered.has(id))).toBe(true);
    expect(responses.messages.length - JOBS).toBe(duplicates.length);
    await expectQueueEmpty();
    console.info(
      `killed instance: ${inFlight.length} job(s) in flight, ${redelivered.size} redelivered, ${duplicates.length} answered twice`,
    );
  });
});
