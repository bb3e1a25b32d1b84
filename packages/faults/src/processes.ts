import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@org/testkit';
import { type FaultNamespace } from './fault-namespace';

const PACKAGE_ROOT = join(__dirname, '..');
/** The built manager: a stale build would test old code, so `pnpm test:faults` builds first. */
export const MANAGER_MAIN = join(PACKAGE_ROOT, '..', '..', 'apps', 'manager', 'dist', 'main.js');
export const FAULT_WORKER_MAIN = join(PACKAGE_ROOT, 'dist', 'fault-worker.js');

/** Short timers, so faults are detected and recovered from within seconds. */
export const FAST_MANAGER_ENV: Record<string, string> = {
  WM_HEARTBEAT_EXPIRY_MS: '1500',
  WM_DISPATCH_LEASE_MS: '2000',
  WM_SWEEP_INTERVAL_MS: '200',
  WM_CONFIG_POLL_MS: '500',
  LOG_LEVEL: 'warn',
};

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function requireBuilt(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`pnpm build\` first`);
}

/** Keeps the last lines a child wrote, for failure messages. */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface ManagerProcessOptions {
  /** The YAML configuration (written to the namespace's directory). */
  readonly configYaml: string;
  /** Extra environment (on top of {@link FAST_MANAGER_ENV}). */
  readonly env?: Record<string, string>;
}

/** A manager replica as a child process: `node apps/manager/dist/main.js`. */
export class ManagerProcess {
  private child!: ChildProcess;
  private output!: () => string;

  private constructor(
    private readonly ns: FaultNamespace,
    private readonly options: ManagerProcessOptions,
    readonly port: number,
    readonly label: string,
  ) {}

  static async start(
    ns: FaultNamespace,
    options: ManagerProcessOptions,
    label = 'manager',
  ): Promise<ManagerProcess> {
    requireBuilt(MANAGER_MAIN);
    const manager = new ManagerProcess(ns, options, await freePort(), label);
    ns.defer(() => manager.kill('SIGKILL'));
    await manager.spawn();
    return manager;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Starts the process (again, after a kill) and waits until it reports ready. */
  async spawn(): Promise<void> {
    const configPath = join(this.ns.dir, `${this.label}.yaml`);
    writeFileSync(configPath, this.options.configYaml);
    this.child = spawn(process.execPath, [MANAGER_MAIN], {
      env: this.ns.env({
        ...FAST_MANAGER_ENV,
        WM_CONFIG: configPath,
        PORT: String(this.port),
        WM_REPLICA_ID: `${this.label}-${Date.now()}`,
        ...this.options.env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.output = tail(this.child);
    await this.waitReady(60_000);
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.alive) throw new Error(`${this.label} exited: ${this.output()}`);
        return (await this.status('/health/ready')) === 200;
      },
      { timeoutMs, intervalMs: 100, what: `${this.label} ready` },
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote. */
  logs(): string {
    return this.output();
  }

  /** HTTP status of a GET, or 0 when nothing answers. */
  async status(path: string): Promise<number> {
    try {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Sum of a Prometheus counter's samples whose labels contain `labelFilter`. */
  async counter(name: string, labelFilter = ''): Promise<number> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || !line.includes(labelFilter)) continue;
      const [series, value] = line.split(' ');
      if (series === name || series?.startsWith(`${name}{`)) sum += Number(value);
    }
    return sum;
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return Promise.resolve();
    this.child.kill(signal);
    return exited(this.child);
  }

  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}

export interface WorkerProcessOptions {
  readonly type: string;
  /** @default 10 */
  readonly concurrency?: number;
  /** Handler work time. @default 0 */
  readonly delayMs?: number;
  /** Exit the process on a body containing `poison`. @default false */
  readonly poison?: boolean;
  /** Require a JSON `{ n: integer }` payload. @default false */
  readonly json?: boolean;
  /** Broker URL (e.g. with `?heartbeat=1`). @default the namespace's */
  readonly amqpUrl?: string;
  /** Start it again whenever it exits on its own (a supervisor, as Kubernetes would). @default false */
  readonly restart?: boolean;
  /** Only check the topology (least-privilege user). @default false */
  readonly checkOnly?: boolean;
  /** Execution log file. */
  readonly log: string;
}

/** An SDK worker as a child process (`dist/fault-worker.js`). */
export class WorkerProcess {
  private child!: ChildProcess;
  private output!: () => string;
  private stopping = false;
  /** How many times the supervisor started it again after it exited on its own. */
  restarts = 0;

  private constructor(
    private readonly ns: FaultNamespace,
    private readonly options: WorkerProcessOptions,
  ) {}

  static async start(ns: FaultNamespace, options: WorkerProcessOptions): Promise<WorkerProcess> {
    requireBuilt(FAULT_WORKER_MAIN);
    ns.workerTypes.add(options.type);
    const worker = new WorkerProcess(ns, options);
    ns.defer(() => worker.kill('SIGKILL'));
    await worker.spawn();
    return worker;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output();
  }

  private async spawn(): Promise<void> {
    const { options } = this;
    const child = spawn(process.execPath, [FAULT_WORKER_MAIN], {
      env: this.ns.env({
        ...(options.amqpUrl ? { AMQP_URL: options.amqpUrl } : {}),
        WM_HEARTBEAT_INTERVAL_MS: '300',
        FAULT_WORKER_TYPE: options.type,
        FAULT_CONCURRENCY: String(options.concurrency ?? 10),
        FAULT_DELAY_MS: String(options.delayMs ?? 0),
        FAULT_POISON: options.poison ? '1' : '0',
        FAULT_JSON: options.json ? '1' : '0',
        FAULT_EXEC_LOG: options.log,
        FAULT_DECLARE: options.checkOnly ? 'check' : 'assert',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = tail(child);
    let ready = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) ready = true;
    });
    child.once('exit', () => {
      if (this.stopping || !options.restart) return;
      this.restarts += 1;
      void this.spawn().catch(() => undefined);
    });
    await waitFor(
      () => {
        if (child.exitCode !== null && !options.restart)
          throw new Error(`worker ${options.type} exited: ${this.output()}`);
        return ready || child.exitCode !== null;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: `worker ${options.type} started` },
    );
  }

  /** Sends `signal`; SIGKILL and SIGTERM also wait for the exit (and stop the supervisor). */
  kill(signal: NodeJS.Signals): Promise<void> {
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      this.child.kill(signal);
      return Promise.resolve();
    }
    this.stopping = true;
    if (!this.alive) return Promise.resolve();
    this.child.kill(signal);
    return exited(this.child);
  }
}
