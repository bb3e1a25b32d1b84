import { type Scenario } from '../scenario';
import { heartbeatRateScenario } from './heartbeat-rate.scenario';
import { instanceKillScenario } from './instance-kill.scenario';
import { replicaKillsScenario } from './replica-kills.scenario';
import { scaleFromZeroScenario } from './scale-from-zero.scenario';
import { workerSigtermScenario } from './worker-sigterm.scenario';

/** Every implemented scenario of issue 18, in its numbering. */
export const SCENARIOS: readonly Scenario[] = [
  heartbeatRateScenario,
  instanceKillScenario,
  scaleFromZeroScenario,
  replicaKillsScenario,
  workerSigtermScenario,
];
