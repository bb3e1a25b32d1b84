import { type Route, type WorkerTypeConfig } from '@org/protocol';

/** The worker types a route runs through, in order (one for a single worker type). */
export function stepsOf(route: Route): string[] {
  return route.kind === 'worker' ? [route.workerType] : [...route.steps];
}

/**
 * Content type of a step's output, which is the next step's input: what the worker said, else
 * the worker type's configured `output`, else the step's input content type.
 */
export function outputContentType(
  responseContentType: string | undefined,
  worker: WorkerTypeConfig | undefined,
  inputContentType: string,
): string {
  return responseContentType ?? worker?.output ?? inputContentType;
}

/** True when `step` (0-based) is the last of `steps`. */
export function isLastStep(steps: readonly string[], step: number): boolean {
  return step + 1 >= steps.length;
}
