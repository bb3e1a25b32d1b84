import { type BenchOptions, type ScenarioName } from './bench-options';
import { type Results } from './results';

export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly results: Results;
  /** One progress line on stderr, prefixed with the scenario's name. */
  log(line: string): void;
}

/** One measured comparison, in its own file under `scenarios/`, in its own namespace, cleaned up after. */
export interface Scenario {
  readonly name: ScenarioName;
  readonly title: string;
  /** Measures and adds figures to `context.results`; returns a reason instead when it cannot run. */
  run(context: ScenarioContext): Promise<void | { skipped: string }>;
}
