import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { RabbitCluster, waitFor } from '../src/index';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('RabbitCluster (a RabbitMQ cluster on this machine)', () => {
  it('joins its nodes, tells queue leaders, stops and restarts a node, and cleans up', async () => {
    const started = Date.now();
    const cluster = await RabbitCluster.start({ nodes: 2 });
    const bootMs = Date.now() - started;
    try {
      const [first, second] = cluster.nodes;
      const connection = await connect(second!.url);
      const channel = await connection.createChannel();
      await channel.assertQueue('harness.q', {
        durable: true,
        arguments: { 'x-queue-type': 'quorum' },
      });
      await connection.close();
      // Declared through the second node: its leader is there (client-local placement).
      expect(await cluster.leaderOf('harness.q')).toBe(second!.name);
      expect((await cluster.membersOf('harness.q')).sort()).toEqual(
        [first!.name, second!.name].sort(),
      );
      await cluster.stopNode(second!.name);
      expect(cluster.runningNodes()).toEqual([first]);
      await expect(connect(second!.url)).rejects.toThrow(/ECONNREFUSED/);
      // Back from its own data, it rejoins; the queue (which had lost its majority) gets a leader
      // again with both members online.
      await cluster.startNode(second!.name);
      expect(cluster.runningNodes()).toHaveLength(2);
      const online = async () =>
        (await cluster.listQueues(['name', 'online'])).find((q) => q['name'] === 'harness.q')?.[
          'online'
        ];
      await waitFor(async () => Array.isArray(await online()) && (await online()).length === 2, {
        timeoutMs: 30_000,
        what: 'both members of harness.q online again',
      });
      expect([first!.name, second!.name]).toContain(await cluster.leaderOf('harness.q'));
      const back = await connect(second!.url);
      await back.close();
      process.stdout.write(`two-node cluster booted and joined in ${bootMs} ms\n`);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    expect(cluster.nodes.some((node) => existsSync(join(cluster.dir, node.name)))).toBe(false);
  });

  it('kills its nodes and removes their folder when the test process dies', async () => {
    // A separate process starts a one-node cluster and is then killed without any cleanup.
    const script = `
      const { RabbitCluster } = require(${JSON.stringify(join(__dirname, '../dist/rabbitmq-cluster.js'))});
      RabbitCluster.start({ nodes: 1 }).then((cluster) => {
        const node = cluster.nodes[0];
        process.stdout.write(JSON.stringify({ dir: cluster.dir, pid: cluster.pidOf(node.name) }) + '\\n');
        setInterval(() => undefined, 1000);
      }, (error) => { console.error(error); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (data: Buffer) => resolve(data.toString()));
      child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    });
    const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !alive(pid) && !existsSync(dir), {
      timeoutMs: 30_000,
      what: 'the orphaned node to be killed and its folder removed',
    });
  });
});
