import { type SimOptions } from './sim-options';

/** One pass/fail line of a scenario, as issue 18 states it. */
export interface Criterion {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /**
   * A latency or duration target: on a shared machine (CI, a developer's) it measures the
   * machine as much as the code, so a short run reports it without failing on it.
   */
  readonly timing?: boolean;
  /**
   * False when the run was too short for the criterion to tell (scenario 4's dead tuples in a
   * short run): the figure is reported as "not judged" and does not fail the run. @default true
   */
  readonly judged?: boolean;
}

/** What a scenario reports: its criteria, its figures (tables), and notes for the reader. */
export interface ScenarioResult {
  readonly number: number;
  readonly title: string;
  readonly criteria: Criterion[];
  /** Rows of one table (same keys in every row). */
  readonly table: Array<Record<string, string | number>>;
  readonly notes: string[];
  readonly seconds: number;
}

export interface SimContext {
  readonly options: SimOptions;
  /** One progress line on stderr, prefixed with the scenario's number. */
  readonly log: (line: string) => void;
}

/**
 * One scenario of issue 18, in its own file under `scenarios/`, in its own namespace (broker
 * and schema), cleaned up after: it builds a {@link SimEnvironment}, starts replicas, a fleet
 * (with job answerers) and a load, and measures.
 */
export interface Scenario {
  readonly number: number;
  readonly title: string;
  run(context: SimContext): Promise<Omit<ScenarioResult, 'number' | 'title' | 'seconds'>>;
}
