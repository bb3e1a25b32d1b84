import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CONTRACT_VERSION } from '@org/protocol';
import { ApiErrorBody, ApiErrorDetail } from './api-error';

/** Where the UI is served; the JSON document is at `${OPENAPI_PATH}-json`. */
export const OPENAPI_PATH = 'api/docs';

/** Serves the OpenAPI document generated from the controllers and DTOs, and its UI. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Worker manager')
    .setDescription(
      'Operator interface of the worker manager: submit and follow requests, retry or delete failed ones, ' +
        `inspect workers, export and import the routing configuration. Wire contract ${CONTRACT_VERSION}.`,
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A key from WM_API_KEYS (also accepted in X-API-Key)',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ApiErrorBody, ApiErrorDetail],
  });
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
}
