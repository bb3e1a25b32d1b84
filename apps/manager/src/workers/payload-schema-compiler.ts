import { type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019';
import { Ajv2020 } from 'ajv/dist/2020';
import formats from 'ajv-formats';
import { type ValidationIssue } from '@org/protocol';

/** One way a payload breaks its worker type's registered schema. */
export type PayloadViolation = ValidationIssue;

/** A registered schema made ready to check payloads, or the reason it cannot be. */
export type CompiledPayloadSchema =
  | { readonly ok: true; validate(payload: unknown): PayloadViolation[] }
  | { readonly ok: false; readonly error: string };

type AnyAjv = Ajv | Ajv2019 | Ajv2020;

/**
 * Compiles a worker's payload JSON Schema with the draft it names in `$schema` (2020-12, 2019-09,
 * else draft-07, the SDK's), every error collected, formats checked. Unknown keywords are
 * tolerated (`strict: false`): a schema from a worker in another language may carry annotations
 * of its own, and refusing it would leave the type with no check at all.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): CompiledPayloadSchema {
  let validate: ValidateFunction;
  try {
    validate = ajvFor(schema).compile(schema);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return {
    ok: true,
    validate(payload: unknown): PayloadViolation[] {
      if (validate(payload)) return [];
      return (validate.errors ?? []).map(violationOf);
    },
  };
}

function ajvFor(schema: Record<string, unknown>): AnyAjv {
  const draft = typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  const options = { allErrors: true, strict: false, validateFormats: true } as const;
  // A fresh instance per schema: a worker's `$id` must not collide with another type's.
  const ajv: AnyAjv = draft.includes('2020-12')
    ? new Ajv2020(options)
    : draft.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  formats(ajv);
  return ajv;
}

/** `$.items[0].price: must be >= 0`: the JSON path of the value at fault, and what is wrong. */
function violationOf(error: ErrorObject): PayloadViolation {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    segments.push(params['missingProperty']);
    return { path: jsonPath(segments), message: 'is required' };
  }
  if (
    error.keyword === 'additionalProperties' &&
    typeof params['additionalProperty'] === 'string'
  ) {
    segments.push(params['additionalProperty']);
    return { path: jsonPath(segments), message: 'is not allowed' };
  }
  return { path: jsonPath(segments), message: error.message ?? `fails "${error.keyword}"` };
}

function jsonPath(segments: readonly string[]): string {
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment)
        ? `${path}[${segment}]`
        : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)
          ? `${path}.${segment}`
          : `${path}[${JSON.stringify(segment)}]`,
    '$',
  );
}
