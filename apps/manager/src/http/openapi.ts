import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CONTRACT_VERSION } from '@org/protocol';
import { ApiErrorDetail } from './problem-codes';
import { ProblemDetails } from './problem-details';
import { completeOpenApiDocument } from './openapi-conventions';

/** Where the UI is served; the JSON document is at `${OPENAPI_PATH}-json`. */
export const OPENAPI_PATH = 'api/docs';

/** Security scheme names of the document: the same keys, sent either way. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const DESCRIPTION = [
  'Operator interface of the worker manager: submit and follow requests, retry or delete failed ones, ',
  `inspect workers, export and import the routing configuration. Wire contract ${CONTRACT_VERSION}.`,
  '\n\n',
  'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`, the located ',
  "`errors` when there are some, and the call's `requestId`. A method a path does not serve is answered ",
  '405 with `Allow`. Bodies are `application/json` or any `application/*+json` type. ',
  'With WM_API_KEYS set, every route but the health probes needs a key, sent as a bearer token or in X-API-Key.',
].join('');

/** Serves the OpenAPI document generated from the controllers and DTOs, and its UI. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Worker manager')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    // Relative: calls go to wherever the document was fetched from (any host, port or proxy).
    .addServer('/', 'The manager serving this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'A key from WM_API_KEYS.' },
      BEARER_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A key from WM_API_KEYS.' },
      API_KEY_SCHEME,
    )
    // Either scheme will do (alternatives); the health probes override this with none.
    .addSecurityRequirements(BEARER_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME)
    .build();
  const document = completeOpenApiDocument(
    SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetails, ApiErrorDetail] }),
  );
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
}
