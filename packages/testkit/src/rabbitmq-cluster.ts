import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { Reaper } from './reaper';

const run = promisify(execFile);

/** One node of a {@link RabbitCluster}. */
export interface ClusterNode {
  /** Erlang node name, e.g. `wm3fa2n1@localhost`. */
  readonly name: string;
  /** AMQP port on 127.0.0.1. */
  readonly amqpPort: number;
  /** Erlang distribution port. */
  readonly distPort: number;
  /** `amqp://guest:guest@127.0.0.1:<amqpPort>`. */
  readonly url: string;
}

export interface RabbitClusterOptions {
  /** Nodes to start and join. @default 3 */
  readonly nodes?: number;
  /** Longest wait for one node to boot or stop, in ms. @default 90000 */
  readonly timeoutMs?: number;
}

/**
 * A RabbitMQ cluster on this machine, for tests: N extra nodes of the installed `rabbitmq-server`,
 * each with its own node name, AMQP and distribution ports, config file and data/log folders
 * (owned by the `rabbitmq` user, as the server drops to it), joined into one cluster. The main
 * broker (`rabbit@localhost`, 5672) is never touched: every command names its node.
 *
 * Always cleaned up: {@link stop} stops the nodes and removes their folders, and a
 * {@link Reaper} kills them if the test process dies first.
 *
 * ```ts
 * const cluster = await RabbitCluster.start({ nodes: 3 });
 * try {
 *   const leader = await cluster.leaderOf('wm.worker.echo');
 *   await cluster.stopNode(leader);
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export class RabbitCluster {
  private readonly stopped = new Set<string>();
  private closed = false;

  private constructor(
    readonly nodes: readonly ClusterNode[],
    /** The folder holding every node's data, logs and pid file; gone after {@link stop}. */
    readonly dir: string,
    private readonly reaper: Reaper,
    private readonly timeoutMs: number,
  ) {}

  /** Why a cluster cannot be started here, or undefined when it can. */
  static unavailableReason(): string | undefined {
    for (const tool of ['rabbitmq-server', 'rabbitmqctl']) {
      if (!commandPath(tool)) return `${tool} is not installed (apt-get install rabbitmq-server)`;
    }
    const user = userInfo().username;
    if (user !== 'root' && user !== 'rabbitmq') {
      return `rabbitmq-server runs only as root or rabbitmq (this is ${user})`;
    }
    return undefined;
  }

  /** Starts `nodes` nodes and joins them to the first; rejects (after cleaning up) on failure. */
  static async start(options: RabbitClusterOptions = {}): Promise<RabbitCluster> {
    const reason = RabbitCluster.unavailableReason();
    if (reason) throw new Error(`cannot start a RabbitMQ cluster: ${reason}`);
    const count = options.nodes ?? 3;
    const id = `wm${randomBytes(2).toString('hex')}`;
    const dir = join(tmpdir(), `${id}-rabbitmq-cluster`);
    mkdirSync(join(dir, 'pids'), { recursive: true });
    const reaper = new Reaper(dir);
    const nodes: ClusterNode[] = [];
    for (let index = 1; index <= count; index++) {
      const amqpPort = await freePort();
      let distPort = await freePort();
      while (distPort === amqpPort) distPort = await freePort();
      nodes.push({
        name: `${id}n${index}@localhost`,
        amqpPort,
        distPort,
        url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
      });
    }
    const cluster = new RabbitCluster(nodes, dir, reaper, options.timeoutMs ?? 90_000);
    try {
      for (const node of nodes) cluster.prepare(node);
      ownByRabbitmq(dir);
      // Every node lists every node (classic peer discovery, under a global lock), so they form
      // one cluster while booting together; `join_cluster` is the fallback for any that did not.
      await Promise.all(nodes.map((node) => cluster.boot(node)));
      await cluster.joinStragglers();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Every node's AMQP URL, in node order: what `AMQP_URL` lists. */
  urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** The node called `name`. */
  node(name: string): ClusterNode {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new Error(`${name} is not a node of this cluster`);
    return node;
  }

  /** The OS process id of a running node. */
  pidOf(name: string): number {
    const pid = this.recordedPid(this.node(name));
    if (pid === undefined) throw new Error(`${name} is not running`);
    return pid;
  }

  /** Nodes not stopped by {@link stopNode}. */
  runningNodes(): ClusterNode[] {
    return this.nodes.filter((node) => !this.stopped.has(node.name));
  }

  /** The node that leads quorum queue `queue` (vhost `/`), asked of a running node. */
  async leaderOf(queue: string): Promise<string> {
    const row = (await this.listQueues(['name', 'leader'])).find((q) => q['name'] === queue);
    const leader = row?.['leader'];
    if (typeof leader !== 'string' || leader === '') {
      throw new Error(`no leader known for queue ${queue}`);
    }
    return leader;
  }

  /** The nodes holding a member of quorum queue `queue`. */
  async membersOf(queue: string): Promise<string[]> {
    return this.nodeList(queue, 'members');
  }

  /** The nodes whose member of quorum queue `queue` is running. */
  async onlineMembersOf(queue: string): Promise<string[]> {
    return this.nodeList(queue, 'online');
  }

  private async nodeList(queue: string, item: 'members' | 'online'): Promise<string[]> {
    const row = (await this.listQueues(['name', item])).find((q) => q['name'] === queue);
    if (!row) throw new Error(`queue ${queue} does not exist`);
    const nodes = row[item];
    return Array.isArray(nodes) ? nodes.map(String) : [];
  }

  /**
   * Queues of vhost `/` with the requested info items (`rabbitmqctl list_queues` columns, e.g.
   * `name`, `type`, `leader`, `members`, `pid`), asked of the first running node.
   */
  async listQueues(items: readonly string[]): Promise<Array<Record<string, unknown>>> {
    const [node] = this.runningNodes();
    if (!node) throw new Error('no running node to ask');
    const output = await this.ctl(node, 'list_queues', '--quiet', '--formatter', 'json', ...items);
    const parsed: unknown = JSON.parse(output.trim() || '[]');
    if (!Array.isArray(parsed)) throw new Error(`unexpected list_queues output: ${output}`);
    return parsed.filter(
      (row): row is Record<string, unknown> => typeof row === 'object' && row !== null,
    );
  }

  /** Stops a node gracefully (`rabbitmqctl stop`): its clients are disconnected, its queue members leave. */
  async stopNode(name: string): Promise<void> {
    const node = this.node(name);
    await this.ctl(node, 'stop');
    this.stopped.add(node.name);
    rmSync(this.reaper.pidFile(node.name), { force: true });
  }

  /** Starts a stopped node again; it rejoins the cluster from its own data. */
  async startNode(name: string): Promise<void> {
    const node = this.node(name);
    await this.boot(node);
    this.stopped.delete(node.name);
  }

  /** Stops every node and removes every folder. Safe to call twice, and after a failed start. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The data is thrown away: SIGTERM (the Erlang VM shuts down cleanly), SIGKILL after 10 s.
    const pids = this.nodes
      .filter((node) => !this.stopped.has(node.name))
      .map((node) => this.recordedPid(node))
      .filter((pid): pid is number => pid !== undefined);
    for (const pid of pids) signal(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
    this.reaper.reapNow();
    this.reaper.release();
  }

  // ---- node plumbing -----------------------------------------------------------------------

  private folder(node: ClusterNode): string {
    return join(this.dir, node.name.split('@')[0]!);
  }

  private prepare(node: ClusterNode): void {
    const folder = this.folder(node);
    mkdirSync(join(folder, 'mnesia'), { recursive: true });
    mkdirSync(join(folder, 'log'), { recursive: true });
    // The system rabbitmq.conf pins listeners.tcp.local to 5672 (which beats RABBITMQ_NODE_PORT),
    // so each node gets a config file of its own; guest may log in from 127.0.0.1.
    writeFileSync(
      join(folder, 'rabbitmq.conf'),
      [
        `listeners.tcp.1 = 127.0.0.1:${node.amqpPort}`,
        'loopback_users = none',
        'cluster_formation.peer_discovery_backend = classic_config',
        ...this.nodes.map(
          (peer, index) => `cluster_formation.classic_config.nodes.${index + 1} = ${peer.name}`,
        ),
        '',
      ].join('\n'),
    );
    // No plugins: the management plugin of every node would fight over port 15672.
    writeFileSync(join(folder, 'enabled_plugins'), '[].\n');
  }

  private environment(node: ClusterNode): NodeJS.ProcessEnv {
    const folder = this.folder(node);
    return {
      ...process.env,
      RABBITMQ_NODENAME: node.name,
      RABBITMQ_NODE_PORT: String(node.amqpPort),
      RABBITMQ_DIST_PORT: String(node.distPort),
      RABBITMQ_CONFIG_FILE: join(folder, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(folder, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(folder, 'mnesia'),
      RABBITMQ_LOG_BASE: join(folder, 'log'),
      RABBITMQ_PID_FILE: this.reaper.pidFile(node.name),
      // Several nodes share a few cores here: schedulers that spin while idle would take the CPU
      // the others need to boot and to replicate.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+sbwt none +sbwtdcpu none +sbwtdio none',
    };
  }

  private async boot(node: ClusterNode): Promise<void> {
    const child = spawn(commandPath('rabbitmq-server') ?? 'rabbitmq-server', ['-detached'], {
      env: this.environment(node),
      stdio: 'ignore',
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => resolve());
    });
    // Booted means accepting AMQP connections (the listener opens last). Polling the port costs
    // nothing, where each `rabbitmqctl` call boots an Erlang VM; a node whose process died is
    // reported at once, with its log.
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (await portAnswers(node.amqpPort)) return;
      const pid = this.recordedPid(node);
      if ((pid !== undefined && !isAlive(pid)) || Date.now() > deadline) {
        throw new Error(
          `RabbitMQ node ${node.name} did not start${pid === undefined ? '' : ` (pid ${pid})`}:\n${this.logTail(node.name)}`,
        );
      }
      await sleep(200);
    }
  }

  /** Joins to the first node any node that formed a cluster of its own. */
  private async joinStragglers(): Promise<void> {
    const [first, ...others] = this.nodes;
    if (!first) return;
    const running = await this.runningMembers(first);
    const stragglers = others.filter((candidate) => !running.includes(candidate.name));
    if (stragglers.length === 0) return;
    for (const node of stragglers) {
      await this.ctl(node, 'stop_app');
      await this.ctl(node, 'reset');
      await this.ctl(node, 'join_cluster', first.name);
      await this.ctl(node, 'start_app');
    }
    const members = await this.runningMembers(first);
    const missing = this.nodes.filter((node) => !members.includes(node.name));
    if (missing.length > 0) {
      throw new Error(`nodes ${missing.map((node) => node.name).join(', ')} did not join`);
    }
  }

  private async runningMembers(node: ClusterNode): Promise<string[]> {
    const status: unknown = JSON.parse(
      await this.ctl(node, 'cluster_status', '--quiet', '--formatter', 'json'),
    );
    const running = (status as { running_nodes?: unknown }).running_nodes;
    return Array.isArray(running) ? running.map(String) : [];
  }

  private recordedPid(node: ClusterNode): number | undefined {
    try {
      const pid = Number(readFileSync(this.reaper.pidFile(node.name), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Runs `rabbitmqctl -n <node> <args>` and returns its standard output. */
  private async ctl(node: ClusterNode, ...args: string[]): Promise<string> {
    const seconds = String(Math.ceil(this.timeoutMs / 1000));
    const ctl = commandPath('rabbitmqctl') ?? 'rabbitmqctl';
    const { stdout } = await run(ctl, ['-n', node.name, ...args, '--timeout', seconds], {
      timeout: this.timeoutMs + 10_000,
      env: this.environment(node),
    });
    return stdout;
  }

  /**
   * The last `lines` lines of a node's own log (the broker's), for a failure message: a node
   * that did not boot, or a test that waited for something the cluster never did.
   */
  logTail(name: string, lines = 30): string {
    const node = this.node(name);
    const file = join(this.folder(node), 'log', `${node.name}.log`);
    if (!existsSync(file)) return `(no log at ${file})`;
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function commandPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

// rabbitmq-server started as root drops to the rabbitmq user: a node whose folders it cannot
// write dies at boot without a word on the console.
function ownByRabbitmq(dir: string): void {
  if (userInfo().username !== 'root') return;
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'rabbitmq');
  if (!passwd) throw new Error('there is no rabbitmq user (is rabbitmq-server installed?)');
  const uid = Number(passwd[2]);
  const gid = Number(passwd[3]);
  const walk = (path: string): void => {
    chownSync(path, uid, gid);
    for (const entry of readdirEntries(path)) walk(join(path, entry));
  };
  walk(dir);
}

function readdirEntries(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
