import { getMetadataStorage, type ValidationError } from 'class-validator';
import { joinPath, type ValidationIssue } from '../validation';

/**
 * Constraints that say a value has the wrong type. When one fails, the value's other constraints
 * (length, range, pattern) are consequences of the same mistake: only the type is reported.
 */
const TYPE_CONSTRAINTS: ReadonlySet<string> = new Set([
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'nestedValidation',
]);

/** The keys a configuration object of this class accepts, for the "unknown key" message. */
function knownKeys(target: object | undefined): string[] {
  if (target === undefined) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

function messagesOf(error: ValidationError): string[] {
  const constraints = Object.entries(error.constraints ?? {});
  if (constraints.some(([name]) => name === 'whitelistValidation')) {
    const known = knownKeys(error.target);
    return [
      known.length > 0
        ? `is not a configuration key here (known: ${known.join(', ')})`
        : 'is not a configuration key here',
    ];
  }
  // On a list, a type failure is about some of its values (`{ each: true }`), and other values
  // may break other rules: those stay.
  const typeFailures = Array.isArray(error.value)
    ? []
    : constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
  const chosen = typeFailures.length > 0 ? typeFailures.slice(0, 1) : constraints;
  return chosen.map(([name, message]) => humanise(name, message, error.property));
}

function humanise(constraint: string, message: string, property: string): string {
  // class-validator says "each value in nested property workers must be either object or array"
  // of a list entry that is not an object; the path already names the entry.
  if (constraint === 'nestedValidation') return 'must be an object';
  if (message.startsWith(`each value in ${property} `))
    return `each value ${message.slice(`each value in ${property} `.length)}`;
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  return message;
}

/**
 * class-validator's nested errors of a configuration as located issues, each problem once:
 * an unknown key is one issue naming the keys allowed there, a value of the wrong type is one
 * issue (not one per constraint it then also breaks), and repeated issues are merged.
 */
export function configIssues(errors: readonly ValidationError[], prefix = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const walk = (nodes: readonly ValidationError[], parent: string): void => {
    for (const node of nodes) {
      const path = joinPath(parent, node.property);
      for (const message of messagesOf(node)) issues.push({ path, message });
      if (node.children && node.children.length > 0) walk(node.children, path);
    }
  };
  walk(errors, prefix);
  return uniqueIssues(issues);
}

/** Drops repeated issues (same path, same message), keeping the first. */
export function uniqueIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
