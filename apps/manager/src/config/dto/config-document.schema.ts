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
            items: { type: 'string' },
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
