import { type Scenario } from '../scenario';
import { backlogScenario } from './backlog.scenario';
import { bullmqScenario } from './bullmq.scenario';
import { dashboardScenario } from './dashboard.scenario';
import { graphScenario } from './graph.scenario';
import { growthScenario } from './growth.scenario';
import { latencyScenario } from './latency.scenario';
import { priorityScenario } from './priority.scenario';
import { rawScenario } from './raw.scenario';
import { sdkBatchScenario } from './sdk-batch.scenario';
import { sdkScenario } from './sdk.scenario';
import { systemScenario } from './system.scenario';
import { workflowScenario } from './workflow.scenario';

/**
 * Every scenario, in the order they run: baselines first, then the SDK, then the system (whose
 * one-step figure is the peak the latency run and the steady rate the backlog run are judged by;
 * the backlog's drain rate is what the priority run's is compared with).
 */
export const SCENARIOS: readonly Scenario[] = [
  rawScenario,
  bullmqScenario,
  sdkScenario,
  sdkBatchScenario,
  systemScenario,
  workflowScenario,
  graphScenario,
  latencyScenario,
  backlogScenario,
  priorityScenario,
  growthScenario,
  dashboardScenario,
];
