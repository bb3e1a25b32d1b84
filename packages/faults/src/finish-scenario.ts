import { type ExecutionLog } from './execution-log';
import { type FaultNamespace } from './fault-namespace';
import { checkInvariants, type InvariantInput, type InvariantReport } from './invariants';
import { type ScenarioResult } from './results';
import { type Requester } from './requester';
import { type ScenarioRun } from './scenario';

/** What a scenario settles and checks: its namespace, requester and handler executions. */
export interface ScenarioSystem {
  readonly ns: FaultNamespace;
  readonly requester: Requester;
  readonly executions: ExecutionLog;
}

export interface FinishOptions extends Omit<InvariantInput, 'ns' | 'requester' | 'executions'> {
  /** From the end of the fault until fresh traffic was served again. @default null (not measured) */
  readonly recoveryMs?: number | null;
  /**
   * Scenario-specific checks that need the settled system or its report (e.g. which requests
   * ran twice), recorded with `run.expect`. @default none
   */
  readonly verify?: (report: InvariantReport) => void;
}

/**
 * Every scenario's tail: lets the system settle and checks the shared invariants over the
 * accepted requests, runs the scenario's own settled checks, then records the result.
 */
export async function finishScenario(
  run: ScenarioRun,
  { ns, requester, executions }: ScenarioSystem,
  { recoveryMs = null, verify, ...invariants }: FinishOptions,
): Promise<ScenarioResult> {
  const report = await checkInvariants({ ns, requester, executions, ...invariants });
  verify?.(report);
  return run.finish(report, recoveryMs);
}
