import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Logger } from 'pino';
import { ApiExceptionFilter } from './api-exception.filter';
import { apiErrorBody, type ApiException } from './api-error';
import { bodyParserErrors, requireJsonBodies } from './http-errors.middleware';
import { type HttpDrain } from './http-drain';
import { type HttpOptions } from './http-options';
import { type HttpRequest, type HttpResponse, type NextFunction, sendError } from './http-types';
import { rejectForbiddenKeys } from './json-body';
import { OPENAPI_PATH, setupOpenApi } from './openapi';
import { createValidationPipe } from './validation';
import { requestLogging } from '../logging/request-logging.middleware';
import { currentRequestContext } from '../logging/request-context';
import { authorize } from '../security/api-access';

/**
 * Installs the HTTP edge on a created (not yet initialised) application: request ids and access
 * logs, the JSON body parser with its size limit and forbidden keys, the one error shape, the
 * validation pipe and the OpenAPI document. The application must be created with
 * `bodyParser: false`, so this parser is the only one.
 */
export function configureHttp(
  app: NestExpressApplication,
  options: HttpOptions,
  logger: Logger,
  drain?: HttpDrain,
): void {
  app.use(requestLogging(logger));
  if (drain) app.use(drain.middleware());
  app.use(requireJsonBodies());
  app.useBodyParser('json', {
    limit: options.maxBodyBytes,
    strict: true,
    reviver: rejectForbiddenKeys,
  });
  app.use(bodyParserErrors(options.maxBodyBytes));
  // The OpenAPI document is served outside NestJS routing, so the guard does not see it.
  app.use((request: HttpRequest, response: HttpResponse, next: NextFunction) => {
    if (!(request.url ?? '').startsWith(`/${OPENAPI_PATH}`)) return next();
    try {
      authorize(options.apiKeys, request.headers, 'read');
      next();
    } catch (error) {
      const failure = error as ApiException;
      sendError(
        response,
        apiErrorBody(
          failure.getStatus(),
          failure.code,
          failure.message,
          currentRequestContext()?.requestId ?? '',
        ),
      );
    }
  });
  app.useGlobalFilters(new ApiExceptionFilter(logger));
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
}
