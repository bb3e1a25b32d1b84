import { createServer } from 'node:net';
import { Child } from './child';
import { managerMain } from './paths';
import { parsePrometheus, sumOf, type Sample } from './prometheus';

/** A replica starting on a busy machine (migrations, Nest boot) may take this long. */
const READY_TIMEOUT_MS = 180_000;

/** How the replicas are started: their environment beyond port and replica id. */
export interface ReplicaSettings {
  /** Environment of every replica (broker, database, namespace, configuration, timers). */
  readonly env: NodeJS.ProcessEnv;
  /** Prefix of the log files under `.sim-out/`. */
  readonly logPrefix: string;
}

/** `GET /api/v1/scaling/:type`'s answer. */
export interface ScalingSignal {
  readonly type: string;
  readonly waitingRequests: number;
  readonly oldestWaitingSeconds: number;
  readonly desiredInstances: number;
}

/** One manager replica: `node apps/manager/dist/main.js` on its own port. */
export class ManagerReplica {
  constructor(
    readonly id: string,
    readonly port: number,
    readonly child: Child,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The replica's `/metrics`, parsed. */
  async metrics(): Promise<Sample[]> {
    const response = await fetch(`${this.url}/metrics`);
    if (!response.ok) throw new Error(`${this.id}: /metrics answered ${response.status}`);
    return parsePrometheus(await response.text());
  }

  /** Live instances over every type, as this replica's view says. */
  async liveInstances(): Promise<number> {
    return sumOf(await this.metrics(), 'wm_live_instances');
  }

  /**
   * The scale-from-zero signal of one worker type (`GET /api/v1/scaling/:type`, what KEDA's
   * metrics-api trigger reads), computed from the database at each call.
   */
  async scaling(type: string): Promise<ScalingSignal> {
    const response = await fetch(`${this.url}/api/v1/scaling/${encodeURIComponent(type)}`);
    if (!response.ok) throw new Error(`${this.id}: /api/v1/scaling answered ${response.status}`);
    return (await response.json()) as ScalingSignal;
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/health/ready`)).ok;
    } catch {
      return false;
    }
  }
}

/**
 * 1–4 manager replicas as child processes of the simulation, each on a free port, sharing the
 * namespace (broker and schema) as replicas of one deployment do.
 */
export class ManagerReplicas {
  readonly replicas: ManagerReplica[] = [];
  private started = 0;

  constructor(private readonly settings: ReplicaSettings) {}

  /** Starts `count` more replicas and waits until each reports ready. */
  async start(count: number): Promise<ManagerReplica[]> {
    const started: ManagerReplica[] = [];
    for (let index = 0; index < count; index++) {
      const id = `${this.settings.logPrefix}-r${++this.started}`;
      const port = await freePort();
      const child = Child.spawn(id, managerMain(), {
        ...this.settings.env,
        PORT: String(port),
        WM_REPLICA_ID: id,
      });
      const replica = new ManagerReplica(id, port, child);
      this.replicas.push(replica);
      started.push(replica);
    }
    for (const replica of started) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (!(await replica.ready())) {
        if (!replica.child.running)
          throw new Error(`${replica.id} exited at start (log: ${replica.child.logFile})`);
        if (Date.now() > deadline)
          throw new Error(
            `${replica.id} not ready after ${READY_TIMEOUT_MS / 1000} s (log: ${replica.child.logFile})`,
          );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return started;
  }

  /** Stops every replica (SIGTERM) and forgets them. */
  async stopAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.child.stop()));
    this.replicas.length = 0;
  }

  /** CPU seconds used by each running replica so far. */
  cpuSeconds(): number[] {
    return this.replicas.map((replica) => replica.child.cpuSeconds());
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
