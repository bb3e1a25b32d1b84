import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

/** A class-validator class describing a JSON payload. */
export type PayloadClass<T> = new (...args: never[]) => T;

export type PayloadCheck<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly messages: string[] };

/**
 * Parses a job body as JSON and validates it against `cls`, listing every violation with its
 * path (`body.size: must not be less than 0`), so a requester can fix everything in one go.
 */
export async function validatePayload<T extends object>(
  cls: PayloadClass<T>,
  body: Buffer,
): Promise<PayloadCheck<T>> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    return { ok: false, messages: [`body: is not JSON (${(cause as Error).message})`] };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, messages: ['body: must be a JSON object'] };
  }
  const instance = plainToInstance(cls as new () => T, json);
  const errors = await validate(instance, { forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, messages: violations(errors, 'body') };
  return { ok: true, value: instance };
}

function violations(errors: readonly ValidationError[], prefix: string): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : `${prefix}.${error.property}`;
    for (const message of Object.values(error.constraints ?? {})) {
      // class-validator starts most messages with the property name; the path already says it.
      const text = message.startsWith(`${error.property} `)
        ? message.slice(error.property.length + 1)
        : message;
      messages.push(`${path}: ${text}`);
    }
    if (error.children && error.children.length > 0)
      messages.push(...violations(error.children, path));
  }
  return messages;
}
