import { type Scenario } from '../scenario';
import { heartbeatRateScenario } from './heartbeat-rate.scenario';
import { instanceKillScenario } from './instance-kill.scenario';
import { workerSigtermScenario } from './worker-sigterm.scenario';

/** Every implemented scenario of issue 18, in its numbering (3 and 4 follow the new engine). */
export const SCENARIOS: readonly Scenario[] = [
  heartbeatRateScenario,
  instanceKillScenario,
  workerSigtermScenario,
];
