import { type ValidationIssue } from '@org/protocol';

/** A configuration that cannot be used; `issues` says what to fix, each with its path. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
  constructor(
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `invalid configuration (${source}):\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`,
    );
  }
}
