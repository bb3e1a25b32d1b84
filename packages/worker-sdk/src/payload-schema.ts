import type * as TransformerStorage from 'class-transformer/types/storage';
import {
  targetConstructorToSchema,
  validationMetadatasToSchemas,
} from 'class-validator-jsonschema';
import { type PayloadClass } from './payload-validation';

// class-transformer keeps its metadata storage (which knows nested `@Type()`s) out of its index and
// ships its types apart from its code, so it is loaded by path.
const { defaultMetadataStorage } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('class-transformer/cjs/storage') as typeof TransformerStorage;

const REF_PREFIX = '#/definitions/';

/**
 * JSON Schema of a payload class, sent in the register message so operators (and the manager's
 * API docs) know what the worker accepts. Nested classes become `definitions`.
 */
export function payloadSchema<T>(cls: PayloadClass<T>): Record<string, unknown> {
  const options = {
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: REF_PREFIX,
  };
  const schema = targetConstructorToSchema(cls, options) as Record<string, unknown>;
  const refs = new Set<string>();
  collectRefs(schema, refs);
  if (refs.size === 0)
    return { $schema: 'http://json-schema.org/draft-07/schema#', title: cls.name, ...schema };
  const all = validationMetadatasToSchemas(options) as Record<string, unknown>;
  const definitions: Record<string, unknown> = {};
  const pending = [...refs];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name in definitions || !(name in all)) continue;
    definitions[name] = all[name];
    const nested = new Set<string>();
    collectRefs(all[name], nested);
    pending.push(...nested);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: cls.name,
    ...schema,
    definitions,
  };
}

function collectRefs(node: unknown, refs: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, refs);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) {
        refs.add(value.slice(REF_PREFIX.length));
      } else {
        collectRefs(value, refs);
      }
    }
  }
}
