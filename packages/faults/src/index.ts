/**
 * `@org/faults` (private): the fault and bad-input suite's building blocks.
 *
 * ```ts
 * const ns = FaultNamespace.create();
 * const manager = await ManagerProcess.start(ns, { configYaml });
 * const requester = await Requester.start(ns);
 * const accepted = await requester.publishMany('r', 1000, 'x/in');
 * await manager.kill('SIGKILL');
 * const report = await checkInvariants({ ns, requester, executions, accepted });
 * ```
 */
export { FaultNamespace, withNamespace } from './fault-namespace';
export { ExecutionLog } from './execution-log';
export {
  FAST_MANAGER_ENV,
  FAULT_WORKER_MAIN,
  MANAGER_MAIN,
  ManagerProcess,
  WorkerProcess,
  freePort,
  type ManagerProcessOptions,
  type WorkerProcessOptions,
} from './processes';
export { Requester, TERMINAL_STATES, type SeenEvent } from './requester';
export { checkInvariants, type InvariantInput, type InvariantReport } from './invariants';
export { ScenarioRun, type ScenarioMeta } from './scenario';
export { recordResult, readResults, RESULTS_PATH, type ScenarioResult } from './results';
export {
  holdUntil,
  postgresVersion,
  queueDepth,
  rabbitmqctl,
  withBrokerStopped,
  withDatabaseStopped,
  type Outage,
} from './local-services';
export { FULL, LOAD, OUTAGE_MS } from './load';
export { probe } from './probe';
export {
  ECHO_CONTENT_TYPE,
  echoSystem,
  startLoad,
  type EchoSystem,
  type EchoSystemOptions,
  type Load,
} from './echo-system';
export { finishScenario, type FinishOptions, type ScenarioSystem } from './finish-scenario';
