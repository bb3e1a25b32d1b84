import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { issuesFromClassValidator, parsed, rejected, type ParseResult } from '../validation';

/** Largest JSON body (heartbeats, registrations, control orders) the contract accepts. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

/**
 * Parses a JSON body into an instance of a class-validator class, or reports every problem with
 * its path (`body.inFlight`). Unknown fields are dropped, so newer senders stay readable.
 */
export function parseJsonBody<T extends object>(
  cls: ClassConstructor<T>,
  content: Buffer,
  subject: string,
): ParseResult<T> {
  if (content.length > MAX_JSON_BODY_BYTES) {
    return rejected(subject, [
      { path: 'body', message: `is larger than ${MAX_JSON_BODY_BYTES} bytes` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8'));
  } catch (error) {
    return rejected(subject, [
      { path: 'body', message: `is not JSON (${(error as Error).message})` },
    ]);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return rejected(subject, [{ path: 'body', message: 'must be a JSON object' }]);
  }
  const instance = plainToInstance(cls, json);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) return rejected(subject, issuesFromClassValidator(errors, 'body'));
  return parsed(instance);
}
