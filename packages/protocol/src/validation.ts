import { type ValidationError as ClassValidationError } from 'class-validator';

/** One problem found while parsing a message or a configuration, located by its path. */
export interface ValidationIssue {
  /** Where the problem is: a header name (`headers.wm-attempt`), a body path (`body.stats.rssBytes`), a config path (`workflows[0].steps[1]`). */
  readonly path: string;
  /** What is wrong, written for the person who has to fix it. */
  readonly message: string;
}

/**
 * Thrown (or returned inside a {@link ParseResult}) when a message or a configuration does not
 * honour the contract. It lists every problem, not just the first, so one round of fixes is enough.
 */
export class ProtocolValidationError extends Error {
  override readonly name = 'ProtocolValidationError';

  constructor(
    /** What was being validated, e.g. `job message` or `configuration`. */
    readonly subject: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `invalid ${subject}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    );
  }

  /** The issues as plain sentences, the form carried in `wm-messages`. */
  messages(): string[] {
    return this.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

/** The outcome of a parser: a typed value, or the precise reason it could not be produced. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ProtocolValidationError };

export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function rejected<T>(subject: string, issues: readonly ValidationIssue[]): ParseResult<T> {
  return { ok: false, error: new ProtocolValidationError(subject, issues) };
}

/** Returns the value of a successful parse, or throws its {@link ProtocolValidationError}. */
export function unwrap<T>(result: ParseResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Flattens class-validator's nested errors into path-located issues (`steps[1]`, `retry.maxAttempts`). */
export function issuesFromClassValidator(
  errors: readonly ClassValidationError[],
  prefix: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const path = joinPath(prefix, error.property);
    for (const message of Object.values(error.constraints ?? {})) {
      issues.push({ path, message: stripPropertyName(message, error.property) });
    }
    if (error.children && error.children.length > 0) {
      issues.push(...issuesFromClassValidator(error.children, path));
    }
  }
  return issues;
}

export function joinPath(prefix: string, property: string | number): string {
  if (typeof property === 'number' || /^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix === '' ? property : `${prefix}.${property}`;
}

// class-validator starts most messages with the property name; the path already says it.
function stripPropertyName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
