import { Injectable, Logger } from '@nestjs/common';
import {
  compilePayloadSchema,
  type CompiledPayloadSchema,
  type PayloadViolation,
} from './payload-schema-compiler';
import { WorkerRegistry } from './worker-registry.service';

interface CacheEntry {
  readonly revision: number;
  readonly compiled: CompiledPayloadSchema;
}

/**
 * Checks a request payload against the JSON Schema its worker type registered: what intake
 * calls for types configured `validatePayload: true`. Each schema is compiled once per
 * registration revision (a new registration replaces it on the next call).
 */
@Injectable()
export class PayloadSchemas {
  private readonly logger = new Logger('PayloadSchemas');
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly registry: WorkerRegistry) {}

  /**
   * Every violation of `type`'s registered schema by `body`, each with its JSON path
   * (`$.items[0].price`); `[]` when the payload conforms; `undefined` when there is nothing to
   * check: no schema registered (or it does not compile), or a body that is not JSON by its
   * MIME type (`text/plain`, `application/octet-stream`, …). A body without a MIME type is
   * checked when it parses as JSON. A body declared JSON that does not parse is one violation
   * at `$`.
   */
  validate(
    type: string,
    body: Buffer,
    mimeType: string | undefined,
  ): PayloadViolation[] | undefined {
    const compiled = this.compiled(type);
    if (!compiled?.ok) return undefined;
    const declaredJson = mimeType !== undefined && isJsonMime(mimeType);
    if (mimeType !== undefined && mimeType.trim() !== '' && !declaredJson) return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (error) {
      if (!declaredJson) return undefined;
      return [{ path: '$', message: `is not valid JSON (${(error as Error).message})` }];
    }
    return compiled.validate(payload);
  }

  /** Why `type`'s registered schema cannot be used, or undefined (none, or it compiles). */
  schemaError(type: string): string | undefined {
    const compiled = this.compiled(type);
    return compiled && !compiled.ok ? compiled.error : undefined;
  }

  private compiled(type: string): CompiledPayloadSchema | undefined {
    const registration = this.registry.get(type);
    if (!registration?.schema) {
      this.cache.delete(type);
      return undefined;
    }
    const cached = this.cache.get(type);
    if (cached?.revision === registration.revision) return cached.compiled;
    const compiled = compilePayloadSchema(registration.schema);
    if (!compiled.ok)
      this.logger.warn(
        `the payload schema registered for ${type} cannot be used: ${compiled.error}`,
      );
    this.cache.set(type, { revision: registration.revision, compiled });
    return compiled;
  }
}

/** `application/json`, `application/problem+json`, `text/json`, with or without parameters. */
export function isJsonMime(mimeType: string): boolean {
  const essence = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^(application|text)\/(.+\+)?json$/.test(essence);
}
