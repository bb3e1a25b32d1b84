import { type InvariantReport } from './invariants';
import { recordResult, type ScenarioResult } from './results';

export interface ScenarioMeta {
  readonly id: number;
  readonly title: string;
  readonly fault: string;
  readonly load: string;
}

/**
 * Times a scenario and records its result (before the test asserts, so a failing run is in the
 * report too).
 */
export class ScenarioRun {
  private readonly started = Date.now();
  readonly notes: string[] = [];
  private readonly extraViolations: string[] = [];

  constructor(readonly meta: ScenarioMeta) {}

  note(text: string): void {
    this.notes.push(text);
  }

  /** A scenario-specific check that failed (beyond the shared invariants). */
  violate(text: string): void {
    this.extraViolations.push(text);
  }

  /** Checks `condition`; records `text` as a violation when it is false. */
  expect(condition: boolean, text: string): void {
    if (!condition) this.violate(text);
  }

  finish(report: InvariantReport | undefined, recoveryMs: number | null): ScenarioResult {
    if (report && report.duplicates > 0)
      this.note(
        `${report.duplicates} redelivered execution(s) over ${report.duplicatedRequests.length} request(s), allowed by the fault`,
      );
    if (report && report.duplicateEvents > 0)
      this.note(`${report.duplicateEvents} terminal event(s) delivered twice (same state)`);
    if (report) this.note(`settled ${report.settledMs} ms after the checker started`);
    const violations = [...(report?.violations ?? []), ...this.extraViolations];
    const result: ScenarioResult = {
      ...this.meta,
      requests: report?.requests ?? 0,
      lost: report?.lost.length ?? 0,
      duplicates: report?.duplicates ?? 0,
      duplicateEvents: report?.duplicateEvents ?? 0,
      stranded: report?.stranded.length ?? 0,
      recoveryMs,
      durationMs: Date.now() - this.started,
      passed: violations.length === 0,
      violations,
      notes: this.notes,
      runAt: new Date().toISOString(),
    };
    recordResult(result);
    return result;
  }
}
