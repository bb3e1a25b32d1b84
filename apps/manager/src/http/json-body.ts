/**
 * Keys refused anywhere in a JSON body. `JSON.parse` itself is safe, but an object holding them
 * becomes a prototype-pollution gadget the moment some code merges or copies it.
 */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/** Marks the parse error thrown by {@link rejectForbiddenKeys}; the body-parser error handler looks for it. */
export const FORBIDDEN_KEY_MESSAGE =
  'JSON keys "__proto__", "constructor" and "prototype" are not accepted';

export class ForbiddenJsonKeyError extends SyntaxError {
  constructor(readonly key: string) {
    super(`${FORBIDDEN_KEY_MESSAGE} (found "${key}")`);
  }
}

/** A `JSON.parse` reviver that refuses the forbidden keys at any depth. */
export function rejectForbiddenKeys(this: unknown, key: string, value: unknown): unknown {
  if (FORBIDDEN_JSON_KEYS.has(key)) throw new ForbiddenJsonKeyError(key);
  return value;
}
