import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../src/index';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Starting, joining, leaders, stopping and restarting a node and the normal cleanup are exercised
// by apps/manager/test/cluster/broker-cluster.cluster.test.ts, on the one cluster it boots.
describe('RabbitCluster (a RabbitMQ cluster on this machine)', () => {
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
