import { type SchemaObject } from '@nestjs/swagger';

const failurePolicy: Record<string, SchemaObject> = {
  keepErrors: {
    type: 'boolean',
    default: true,
    description: 'Keep failed requests for inspection and retry.',
  },
  keepSuccess: {
    type: 'boolean',
    default: false,
    description: 'Keep successful requests instead of deleting them.',
  },
  timeoutMs: {
    type: 'integer',
    minimum: 1000,
    description: 'A dispatched request with no final answer by then becomes ERROR. Default: none.',
  },
  retry: {
    type: 'object',
    properties: {
      maxAttempts: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
      backoffMs: { type: 'integer', minimum: 0, default: 0 },
      backoffMultiplier: { type: 'number', minimum: 1, maximum: 10, default: 2 },
      maxBackoffMs: { type: 'integer', minimum: 0, default: 3600000 },
    },
  },
  retention: {
    type: 'object',
    additionalProperties: false,
    description:
      'Kept requests are deleted this long after they ended. Durations: milliseconds, or one number and a unit (ms, s, m, h, d) such as "90s", "24h", "7d". Default: kept until deleted.',
    properties: {
      success: {
        oneOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', example: '7d' },
        ],
        description: 'Kept successes (needs keepSuccess: true). Default: kept until deleted.',
      },
      errors: {
        oneOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', example: '30d' },
        ],
        description:
          'Kept failures (ERROR, INVALID_CONTENT, CANCELLED; not with keepErrors: false). Default: kept until deleted.',
      },
    },
  },
};

/** Dispatch keys of a worker type (design 5.1). */
const dispatchPolicy: Record<string, SchemaObject> = {
  maxInFlight: {
    type: 'integer',
    minimum: 1,
    maximum: 1000000,
    description:
      'Cap of the dispatch window (jobs outstanding across every replica). Default: none, the window is twice the concurrency of the live ready instances (8 for one that advertises none), or for short jobs what they answer within WM_DISPATCH_HORIZON_MS.',
  },
  rateLimit: {
    type: 'object',
    additionalProperties: false,
    required: ['perSecond'],
    description: 'A token bucket shared by every replica. Default: none (no limit).',
    properties: {
      perSecond: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100000 },
      burst: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        description: 'Default: ceil(perSecond), at least 1.',
      },
    },
  },
  fairness: {
    type: 'string',
    enum: ['none', 'tenant', 'owner'],
    default: 'none',
    description: 'At equal priority, round robin between tenants (owners) instead of oldest first.',
  },
  validatePayload: {
    type: 'boolean',
    default: false,
    description:
      'Check JSON payloads against the schema the type registered; a payload that breaks it is answered INVALID_CONTENT at intake.',
  },
};

/** OpenAPI schema of the configuration document (the protocol's `ManagerConfig`, which the import validates). */
export const CONFIG_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,127}$', example: 'file-mover' },
          contentTypes: {
            type: 'array',
            items: { type: 'string' },
            default: [],
            example: ['product/raw'],
          },
          output: {
            type: 'string',
            description: 'Content type of the output when the response names none.',
          },
          description: { type: 'string' },
          ...failurePolicy,
          ...dispatchPolicy,
        },
      },
    },
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'steps'],
        properties: {
          type: { type: 'string', example: 'product/ingest' },
          steps: {
            type: 'array',
            description:
              'Worker types in order (a chain), or a graph of steps { id, worker, after } (design 5.4).',
            items: {
              oneOf: [
                { type: 'string' },
                {
                  type: 'object',
                  required: ['id', 'worker'],
                  properties: {
                    id: { type: 'string', example: 'describe' },
                    worker: { type: 'string', example: 'metadata-extractor' },
                    after: { type: 'array', items: { type: 'string' }, example: ['move'] },
                  },
                },
              ],
            },
            minItems: 1,
            example: ['file-mover', 'metadata-extractor'],
          },
          contentTypes: {
            type: 'array',
            items: { type: 'string' },
            description: 'Default: [type].',
          },
          description: { type: 'string' },
          ...failurePolicy,
        },
      },
    },
    skipContentTypes: { type: 'array', items: { type: 'string' }, default: [] },
  },
};
