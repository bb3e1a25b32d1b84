import { PayloadSchemas, isJsonMime } from '../../src/workers/payload-schemas.service';
import { type RegistrationRecord } from '../../src/workers/registration.repository';
import { type WorkerRegistry } from '../../src/workers/worker-registry.service';

/** The registry as the service reads it: the latest registration per type. */
class Registrations {
  readonly records = new Map<string, RegistrationRecord>();
  private revision = 0;

  register(type: string, schema: Record<string, unknown> | null): void {
    this.records.set(type, {
      type,
      instanceId: `${type}-1`,
      description: null,
      version: null,
      contract: null,
      contentTypes: [],
      schema,
      registeredAt: new Date(),
      revision: ++this.revision,
    });
  }

  get(type: string): RegistrationRecord | undefined {
    return this.records.get(type);
  }
}

const PRODUCT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1 },
    price: { type: 'number', minimum: 0 },
    url: { type: 'string', format: 'uri' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'price'],
  additionalProperties: false,
};

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('PayloadSchemas', () => {
  let registrations: Registrations;
  let schemas: PayloadSchemas;

  beforeEach(() => {
    registrations = new Registrations();
    schemas = new PayloadSchemas(registrations as unknown as WorkerRegistry);
    registrations.register('product', PRODUCT_SCHEMA);
  });

  it('finds nothing wrong with a conforming payload', () => {
    expect(
      schemas.validate(
        'product',
        json({ id: 'p1', price: 3, url: 'https://example.org/p1', tags: ['a'] }),
        'application/json',
      ),
    ).toEqual([]);
  });

  it('lists every violation with its JSON path', () => {
    const violations = schemas.validate(
      'product',
      json({ price: -1, url: 'not a uri', tags: ['a', 7], colour: 'red' }),
      'application/json; charset=utf-8',
    );
    expect(violations).toEqual(
      expect.arrayContaining([
        { path: '$.id', message: 'is required' },
        { path: '$.price', message: 'must be >= 0' },
        { path: '$.url', message: 'must match format "uri"' },
        { path: '$.tags[1]', message: 'must be string' },
        { path: '$.colour', message: 'is not allowed' },
      ]),
    );
    expect(violations).toHaveLength(5);
  });

  it('reports a body declared JSON that does not parse as one violation at the root', () => {
    expect(schemas.validate('product', Buffer.from('{"id": '), 'application/json')).toEqual([
      { path: '$', message: expect.stringMatching(/^is not valid JSON/) },
    ]);
  });

  it('checks nothing for a body that is not JSON by its MIME type, or by its content when it has none', () => {
    expect(schemas.validate('product', Buffer.from('%PDF-1.7'), 'application/pdf')).toBeUndefined();
    expect(schemas.validate('product', json({ price: -1 }), 'text/plain')).toBeUndefined();
    expect(schemas.validate('product', Buffer.from('plain words'), undefined)).toBeUndefined();
    // Without a MIME type, a body that parses as JSON is checked.
    expect(schemas.validate('product', json({ id: 'p', price: -1 }), undefined)).toEqual([
      { path: '$.price', message: 'must be >= 0' },
    ]);
  });

  it('checks nothing for a type with no registration or no schema', () => {
    expect(schemas.validate('unknown', json({}), 'application/json')).toBeUndefined();
    registrations.register('schemaless', null);
    expect(schemas.validate('schemaless', json({}), 'application/json')).toBeUndefined();
  });

  it('uses the schema of the latest registration', () => {
    expect(
      schemas.validate('product', json({ id: 'p', price: 1, extra: true }), undefined),
    ).toHaveLength(1);
    registrations.register('product', { ...PRODUCT_SCHEMA, additionalProperties: true });
    expect(
      schemas.validate('product', json({ id: 'p', price: 1, extra: true }), undefined),
    ).toEqual([]);
  });

  it('follows the draft a schema names (2020-12 here)', () => {
    registrations.register('tuple', {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'integer' }],
    });
    expect(schemas.validate('tuple', json(['a', 'b']), 'application/json')).toEqual([
      { path: '$[1]', message: 'must be integer' },
    ]);
  });

  it('checks nothing with a schema that does not compile, and says why', () => {
    registrations.register('broken', {
      type: 'object',
      properties: { a: { type: 'no-such-type' } },
    });
    expect(schemas.validate('broken', json({ a: 1 }), 'application/json')).toBeUndefined();
    expect(schemas.schemaError('broken')).toMatch(/type/);
    expect(schemas.schemaError('product')).toBeUndefined();
  });
});

describe('isJsonMime', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/geo+json', true],
    ['text/json', true],
    ['text/plain', false],
    ['application/octet-stream', false],
    ['application/jsonl', false],
  ])('%s → %s', (mime, expected) => {
    expect(isJsonMime(mime)).toBe(expected);
  });
});
