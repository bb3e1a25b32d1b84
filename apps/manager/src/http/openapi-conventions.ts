import { type OpenAPIObject } from '@nestjs/swagger';
import { REQUEST_STATES } from '@org/protocol';
import { PROBLEM_JSON } from './problem-details';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM_REF = '#/components/schemas/ProblemDetails';

/**
 * Error answers every operation of a kind can give, written once as shared responses: any
 * secured call can be refused its key, any call with a body can be too large or not JSON, and
 * any call but a probe meets a stopping replica or a lost dependency.
 */
const SHARED_RESPONSES: Record<string, { readonly status: string; readonly description: string }> =
  {
    BadRequest: {
      status: '400',
      description: 'Invalid input: `errors` lists every problem with its path.',
    },
    Unauthorized: {
      status: '401',
      description:
        'No API key, or an unknown one (only when WM_API_KEYS is set). Send `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
    },
    Forbidden: {
      status: '403',
      description: 'The API key has the `read` role and the call needs `operate`.',
    },
    PayloadTooLarge: { status: '413', description: 'The body is larger than WM_MAX_BODY_BYTES.' },
    UnsupportedMediaType: {
      status: '415',
      description: 'The body is not `application/json` (or an `application/*+json` type).',
    },
    ServiceUnavailable: {
      status: '503',
      description:
        'This replica is stopping, or its database or broker is unreachable: send the call again.',
    },
  };

/** What `POST /requests/{id}/retry` and `…/cancel` answer: the request's id and its new state. */
const REQUEST_STATE_ANSWER = {
  type: 'object',
  required: ['id', 'state'],
  properties: {
    id: { type: 'string', description: 'The request id.' },
    state: {
      type: 'string',
      enum: [...REQUEST_STATES],
      description: 'The state the request is in after the call.',
    },
  },
};

/**
 * Operations whose success body the controller does not declare, documented here until it
 * does (an entry is used only while the operation has no such body).
 */
const SUCCESS_BODIES: ReadonlyArray<{ path: string; method: string; schema: Json }> = [
  { path: '/api/v1/requests/{id}/retry', method: 'post', schema: REQUEST_STATE_ANSWER },
  { path: '/api/v1/requests/{id}/cancel', method: 'post', schema: REQUEST_STATE_ANSWER },
];

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Error answers are problem details: moves their schema to `application/problem+json`. */
function asProblem(response: Json): void {
  const content = isRecord(response['content']) ? response['content'] : {};
  const json = content['application/json'];
  const schema = isRecord(json) && isRecord(json['schema']) ? json['schema'] : undefined;
  if (schema === undefined || schema['$ref'] === PROBLEM_REF) {
    response['content'] = { [PROBLEM_JSON]: { schema: { $ref: PROBLEM_REF } } };
  }
}

function completeOperation(path: string, method: string, operation: Json, used: Set<string>): void {
  const responses: Json = isRecord(operation['responses']) ? operation['responses'] : {};
  operation['responses'] = responses;
  for (const [status, response] of Object.entries(responses)) {
    if (/^[45]\d\d$/.test(status) && isRecord(response)) asProblem(response);
  }
  const add = (name: keyof typeof SHARED_RESPONSES): void => {
    const { status } = SHARED_RESPONSES[name]!;
    if (responses[status] !== undefined) return;
    responses[status] = { $ref: `#/components/responses/${name}` };
    used.add(name);
  };
  const isPublic = Array.isArray(operation['security']) && operation['security'].length === 0;
  const parameters = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
  if (operation['requestBody'] !== undefined || parameters.length > 0) add('BadRequest');
  if (!isPublic) {
    add('Unauthorized');
    add('Forbidden');
  }
  if (operation['requestBody'] !== undefined) {
    add('PayloadTooLarge');
    add('UnsupportedMediaType');
  }
  if (!isPublic) add('ServiceUnavailable');
  for (const body of SUCCESS_BODIES) {
    if (body.path !== path || body.method !== method) continue;
    const ok = responses['200'];
    if (isRecord(ok) && ok['content'] === undefined)
      ok['content'] = { 'application/json': { schema: body.schema } };
  }
}

/**
 * Completes the generated document with what the decorators cannot say once for all routes:
 * error answers as `application/problem+json`, the shared 400/401/403/413/415/503 answers
 * wherever they can happen (never 401/403 on a public route: one whose `security` is `[]`),
 * and the success bodies of {@link SUCCESS_BODIES}.
 */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {}) as Json;
  const responses: Json = isRecord(components['responses']) ? components['responses'] : {};
  components['responses'] = responses;
  const used = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Json)[method];
      if (isRecord(operation)) completeOperation(path, method, operation, used);
    }
  }
  for (const name of used) {
    const { description } = SHARED_RESPONSES[name]!;
    responses[name] = {
      description,
      content: { [PROBLEM_JSON]: { schema: { $ref: PROBLEM_REF } } },
    };
  }
  return document;
}
