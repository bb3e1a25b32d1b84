import { waitFor } from '@org/testkit';
import { ExecutionLog } from './execution-log';
import { type FaultNamespace } from './fault-namespace';
import { type ScenarioSystem } from './finish-scenario';
import { ManagerProcess, WorkerProcess } from './processes';
import { Requester } from './requester';

/** The content type the echo workers serve. */
export const ECHO_CONTENT_TYPE = 'echo/in';
const ECHO_CONFIG = `workers:\n  - type: echo\n    contentTypes: [${ECHO_CONTENT_TYPE}]\n`;
/** SDK workers the echo system runs, and each one's concurrency. */
const ECHO_WORKERS = 2;
const ECHO_CONCURRENCY = 20;

export interface EchoSystemOptions {
  /**
   * Manager replicas, labelled `replica0`, `replica1`…; a single one is labelled `manager`.
   * @default 1
   */
  readonly replicas?: number;
  /** Extra manager environment (e.g. `AMQP_URL` through a proxy). @default none */
  readonly managerEnv?: Record<string, string>;
}

export interface EchoSystem extends ScenarioSystem {
  /** The first (or only) manager replica. */
  readonly manager: ManagerProcess;
  readonly managers: readonly ManagerProcess[];
  readonly contentType: string;
}

/**
 * The system most scenarios disturb: manager process(es) routing `echo/in` to 2 SDK echo worker
 * processes (concurrency 20 each, every handler run in the execution log) and a requester.
 */
export async function echoSystem(
  ns: FaultNamespace,
  options: EchoSystemOptions = {},
): Promise<EchoSystem> {
  const managerOptions = {
    configYaml: ECHO_CONFIG,
    ...(options.managerEnv ? { env: options.managerEnv } : {}),
  };
  const managers: ManagerProcess[] = [];
  if (options.replicas === undefined || options.replicas === 1)
    managers.push(await ManagerProcess.start(ns, managerOptions));
  else
    for (let n = 0; n < options.replicas; n++)
      managers.push(await ManagerProcess.start(ns, managerOptions, `replica${n}`));
  const executions = new ExecutionLog(ns.dir);
  for (let n = 1; n <= ECHO_WORKERS; n++)
    await WorkerProcess.start(ns, {
      type: 'echo',
      concurrency: ECHO_CONCURRENCY,
      log: executions.fileFor(`w${n}`),
    });
  const requester = await Requester.start(ns);
  return {
    ns,
    manager: managers[0]!,
    managers,
    executions,
    requester,
    contentType: ECHO_CONTENT_TYPE,
  };
}

/** Load under way: the requests still being published. */
export interface Load {
  /** Resolves with the ids the broker confirmed (accepted), in order, once all are published. */
  readonly accepted: Promise<string[]>;
}

/**
 * Starts publishing `total` echo requests `<prefix>-<n>` and returns once `servedShare` of them
 * are served, so the fault hits a system that is busy both taking requests in and serving them.
 */
export async function startLoad(
  system: EchoSystem,
  prefix: string,
  total: number,
  /** @default 0.1 */
  servedShare = 0.1,
): Promise<Load> {
  const { requester } = system;
  const accepted = requester.publishMany(prefix, total, system.contentType);
  await waitFor(() => requester.successes() >= total * servedShare, {
    timeoutMs: 60_000,
    what: `${Math.round(servedShare * 100)}% of the requests served`,
  });
  return { accepted };
}
