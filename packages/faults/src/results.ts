import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the latest run's results live; `docs/reliability.md` is generated from it. */
export const RESULTS_PATH = join(__dirname, '..', '..', '..', 'docs', 'reliability.json');

/** One scenario's outcome, as written to {@link RESULTS_PATH}. */
export interface ScenarioResult {
  readonly id: number;
  readonly title: string;
  /** The injected fault, in words. */
  readonly fault: string;
  /** The load while it happened, in words. */
  readonly load: string;
  /** Requests accepted (publisher-confirmed or answered 2xx). */
  readonly requests: number;
  readonly lost: number;
  /** Handler executions beyond the first, over all requests (redeliveries). */
  readonly duplicates: number;
  /** Terminal events beyond the first with the same state (an event sent twice). */
  readonly duplicateEvents: number;
  readonly stranded: number;
  /** From the end of the fault until fresh traffic is served again, in ms; null when not measured. */
  readonly recoveryMs: number | null;
  readonly durationMs: number;
  readonly passed: boolean;
  readonly violations: readonly string[];
  readonly notes: readonly string[];
  readonly runAt: string;
}

export function readResults(path = RESULTS_PATH): ScenarioResult[] {
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, 'utf8')) as ScenarioResult[];
}

/** Records one scenario's result, replacing that scenario's previous one. */
export function recordResult(result: ScenarioResult, path = RESULTS_PATH): void {
  const results = readResults(path).filter(
    (existing) => !(existing.id === result.id && existing.title === result.title),
  );
  results.push(result);
  results.sort((a, b) => a.id - b.id || a.title.localeCompare(b.title));
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
