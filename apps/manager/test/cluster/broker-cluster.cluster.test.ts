import { existsSync } from 'node:fs';
import { type ConfirmChannel } from 'amqplib';
import { buildRequest, HEADERS, TERMINAL_EVENT_STATES } from '@org/protocol';
import {
  createTestNamespace,
  header,
  RabbitCluster,
  waitFor,
  type TestNamespace,
} from '@org/testkit';
import { type Worker, type WorkerHandler } from '@org/worker-sdk';
import { AmqpService } from '../../src/messaging/amqp.service';
import { WorkerCatalogue } from '../../src/workers/worker-catalogue.service';
import { database, startTestManager } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';

const TOTAL = 5000;
const TYPE = 'echo';
const CONTENT_TYPE = 'cluster/echo';
const TERMINAL = new Set<string>(TERMINAL_EVENT_STATES);

/**
 * Issue 18, "Done when" 1: three RabbitMQ nodes on this machine, a manager and two SDK workers
 * given all three URLs, 5,000 requests, and the node that leads the work queues stopped mid-run.
 * Nothing may be lost, every request ends once, and everyone reconnects on their own.
 */
describe('a three-node RabbitMQ cluster losing the node that leads the work queues', () => {
  let cluster: RabbitCluster | undefined;
  let ns: TestNamespace | undefined;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await RabbitCluster.start({ nodes: 3 });
    process.stdout.write(
      `cluster test: three nodes booted as one cluster in ${Date.now() - started} ms\n`,
    );
    ns = await createTestNamespace('cl', { brokerUrls: cluster.urls() });
  });

  afterAll(async () => {
    await ns?.cleanup();
    await cluster?.stop();
    // Every node stopped, its folder gone; the main broker was never involved.
    if (cluster) expect(existsSync(cluster.dir)).toBe(false);
  });

  it(`runs ${TOTAL} requests through it: 0 lost, each ends once, all reconnect`, async () => {
    const nodes = cluster!;
    const space = ns!;
    const names = space.names;
    const config = { workers: [{ type: TYPE, contentTypes: [CONTENT_TYPE] }] };
    // The default lease: a shortened one could expire while the cluster elects new leaders and
    // cause a (fenced, harmless) second dispatch that would blur what this test counts.
    const manager = await startTestManager(space, config, { dispatchLeaseMs: 10_000 });

    // Work queues are quorum queues replicated on every node (the broker's default group size).
    const everyNode = nodes.nodes.map((node) => node.name).sort();
    for (const queue of [names.workerQueue(TYPE), names.queues.managerRequests]) {
      expect((await nodes.membersOf(queue)).sort()).toEqual(everyNode);
    }
    const leader = await nodes.leaderOf(names.workerQueue(TYPE));

    const executions = new Map<string, number>();
    let lossAt: number | undefined = undefined;
    const afterLoss = [0, 0];
    const handlerOf =
      (worker: number): WorkerHandler =>
      (job, ctx) => {
        executions.set(job.requestId, (executions.get(job.requestId) ?? 0) + 1);
        if (lossAt !== undefined) afterLoss[worker] = (afterLoss[worker] ?? 0) + 1;
        return ctx.success();
      };
    const [first, second, third] = nodes.urls();
    const workers: Worker[] = [
      // Worker A tries the nodes in the namespace's order (the leader's first), worker B starts
      // on the second node: one has to move, the other keeps its connection through the loss.
      await startSdkWorker(space, { type: TYPE, handler: handlerOf(0), concurrency: 8 }, [manager]),
      await startSdkWorker(
        space,
        { type: TYPE, handler: handlerOf(1), concurrency: 8, amqpUrl: [second!, third!, first!] },
        [manager],
      ),
    ];

    // Terminal events land on a durable quorum queue read through the last node, which stays up.
    const terminals = new Map<string, string[]>();
    const observer = await space.connection.createChannel();
    const collected = `${names.namespace}.test.terminal`;
    await observer.assertQueue(collected, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
    await observer.bindQueue(collected, names.exchanges.events, '#');
    await observer.consume(
      collected,
      (message) => {
        if (!message) return;
        const state = String(header(message, HEADERS.state));
        const id = String(header(message, HEADERS.requestId));
        if (TERMINAL.has(state)) terminals.set(id, [...(terminals.get(id) ?? []), state]);
      },
      { noAck: true },
    );

    const requester = await space.connection.createConfirmChannel();
    const accepted = await publishConfirmed(requester, space, 'before', 0, TOTAL / 2);

    // Mid-run: a good share has ended, the rest is queued, dispatched or in a handler.
    await waitFor(() => terminals.size >= TOTAL * 0.3, {
      timeoutMs: 90_000,
      intervalMs: 50,
      what: `${TOTAL * 0.3} requests to end before the node loss`,
    });
    const classicBefore = await classicQueuesOf(nodes, names.namespace);
    const endedBeforeLoss = terminals.size;
    await nodes.stopNode(leader);
    lossAt = Date.now();

    // Requests keep arriving while the survivors elect new leaders and everyone reconnects.
    accepted.push(...(await publishConfirmed(requester, space, 'after', TOTAL / 2, TOTAL / 2)));
    await waitFor(() => accepted.every((id) => terminals.has(id)), {
      timeoutMs: 150_000,
      intervalMs: 100,
      what: `all ${TOTAL} requests to end (ended: ${terminals.size})`,
    }).catch(async (error: unknown) => {
      // A stall (seen once in eight CI runs: no request sent after the loss ended) is rare
      // enough that what the manager held at that moment is the only lead: print it.
      const db = await database(space);
      const { rows } = await db.query<{ state: string; n: number }>(
        'SELECT state, count(*)::int AS n FROM requests GROUP BY state ORDER BY state',
      );
      // Seen here once in eleven runs: the manager connected, the type available, and every
      // job publish to the work queue refused by the broker until the end. What the broker says
      // of that queue, and its nodes' last log lines, are what tell a lost leader from a refusal.
      const queues = await nodes
        .listQueues(['name', 'leader', 'members', 'online', 'messages', 'state'])
        .catch((failure: unknown) => [{ error: String(failure) }]);
      // A fresh channel on a surviving node publishing to the same queue: confirmed means the
      // queue takes messages and the manager's channel is what is stuck; refused means the queue.
      const probe = await probePublish(space, names.workerQueue(TYPE));
      const brokerLogs = nodes
        .runningNodes()
        .map((node) => `--- ${node.name}\n${nodes.logTail(node.name, 60)}`);
      process.stdout.write(
        `cluster test stalled: rows by state ${JSON.stringify(rows)}; manager connected ` +
          `${manager.app.get(AmqpService).isConnected()}, type available ` +
          `${manager.app.get(WorkerCatalogue).isAvailable(TYPE)}; workers ` +
          `${JSON.stringify(workers.map((worker) => worker.stats().state))}; queues ` +
          `${JSON.stringify(queues)}; a probe publish to the work queue on a new channel: ` +
          `${probe}\n${brokerLogs.join('\n')}\n`,
      );
      throw error;
    });

    const lost = accepted.filter((id) => !terminals.has(id));
    const notSuccess = accepted.filter((id) => terminals.get(id)?.some((s) => s !== 'SUCCESS'));
    const endedTwice = accepted.filter((id) => (terminals.get(id)?.length ?? 0) > 1);
    const reExecuted = [...executions.values()].filter((count) => count > 1).length;
    process.stdout.write(
      `cluster test: ${accepted.length} accepted, ${endedBeforeLoss} ended before ${leader} stopped, ` +
        `the rest within ${Date.now() - lossAt} ms after; ${lost.length} lost, ` +
        `${endedTwice.length} ended twice, ${reExecuted} run again by a worker (redelivered), ` +
        `jobs after the loss per worker: ${afterLoss.join(' / ')}\n`,
    );
    expect(accepted).toHaveLength(TOTAL);
    expect(lost).toEqual([]);
    expect(notSuccess).toEqual([]);
    expect(endedTwice).toEqual([]);

    // Everyone reconnected on their own, to a node that is still up.
    expect(manager.app.get(AmqpService).isConnected()).toBe(true);
    expect(workers.map((worker) => worker.stats().state)).toEqual(['running', 'running']);
    expect(afterLoss.every((jobs) => jobs > 0)).toBe(true);
    expect(nodes.runningNodes().map((node) => node.name)).not.toContain(leader);
    // The exclusive classic queues (the manager's liveness queue, each worker's control queue)
    // died with their connections on the stopped node and were declared again on reconnect.
    const classicAfter = await classicQueuesOf(nodes, names.namespace);
    for (const worker of workers)
      expect(classicAfter).toContain(names.controlQueue(worker.instanceId));
    expect(classicAfter).toEqual(expect.arrayContaining(classicBefore));

    // The database agrees: nothing left live, nothing left in the outbox. An outbox row goes
    // once the broker confirmed its event, which may reach the requester first (and a confirm
    // lost with the node leaves the row to the relay, after the dispatch lease): wait for it.
    const db = await database(space);
    let left = -1;
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          'SELECT (SELECT count(*) FROM requests)::int + (SELECT count(*) FROM outbox)::int AS n',
        );
        left = rows[0]?.n ?? -1;
        return left === 0;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'no live request or outbox row left' },
    );
    expect(left).toBe(0);

    // The stopped node comes back from its own data and its work queue members catch up.
    await nodes.startNode(leader);
    await waitFor(
      async () =>
        (await nodes.onlineMembersOf(names.workerQueue(TYPE))).length === everyNode.length,
      { timeoutMs: 60_000, intervalMs: 500, what: `${leader} back as a member of the work queue` },
    );
  });
});

/** Publishes `count` requests with confirms and returns their ids once all are confirmed. */
async function publishConfirmed(
  channel: ConfirmChannel,
  ns: TestNamespace,
  prefix: string,
  from: number,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let index = from; index < from + count; index++) {
    const id = `${prefix}-${index}`;
    const message = buildRequest(ns.names, {
      requestId: id,
      contentType: CONTENT_TYPE,
      body: Buffer.from(`payload ${index}`),
    });
    ids.push(id);
    if (!channel.publish(message.exchange, message.routingKey, message.content, message.options)) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
  }
  await channel.waitForConfirms();
  return ids;
}

/** Names of the namespace's classic queues, as the cluster lists them. */
async function classicQueuesOf(cluster: RabbitCluster, namespace: string): Promise<string[]> {
  return (await cluster.listQueues(['name', 'type']))
    .filter((queue) => queue['type'] === 'classic')
    .map((queue) => String(queue['name']))
    .filter((name) => name.startsWith(`${namespace}.`))
    .sort();
}

/** Publishes one message to `queue` on a new confirm channel: how the broker answered, in words. */
async function probePublish(ns: TestNamespace, queue: string): Promise<string> {
  try {
    const channel = await ns.connection.createConfirmChannel();
    try {
      channel.sendToQueue(queue, Buffer.from('probe'), { persistent: true });
      const answer = channel.waitForConfirms().then(
        () => 'confirmed',
        (error: unknown) => `refused (${String(error)})`,
      );
      const late = new Promise<string>((resolve) => setTimeout(resolve, 5000, 'no answer in 5 s'));
      return await Promise.race([answer, late]);
    } finally {
      await channel.close().catch(() => undefined);
    }
  } catch (error) {
    return `channel failed (${String(error)})`;
  }
}
