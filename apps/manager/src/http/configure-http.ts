import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Logger } from 'pino';
import { ApiExceptionFilter } from './api-exception.filter';
import { ApiException } from './api-error';
import { corsMiddleware } from './cors';
import { bodyParserErrors, requireJsonBodies } from './http-errors.middleware';
import { type HttpDrain } from './http-drain';
import { type HttpOptions } from './http-options';
import {
  type HttpRequest,
  type HttpResponse,
  type NextFunction,
  isJsonMediaType,
} from './http-types';
import { rejectForbiddenKeys } from './json-body';
import { OPENAPI_PATH, setupOpenApi } from './openapi';
import { RouteTable } from './route-table';
import { sendProblem } from './send-problem';
import { createValidationPipe } from './validation';
import { requestLogging } from '../logging/request-logging.middleware';
import { authorize } from '../security/api-access';

/** The Express 5 application underneath, as far as the route table reads it. */
interface ExpressInstance {
  readonly router: { readonly stack: readonly object[] };
}

/**
 * Installs the HTTP edge on a created (not yet initialised) application: request ids and access
 * logs, CORS when configured, the JSON body parser (`application/json` and `application/*+json`)
 * with its size limit and forbidden keys, problem details for every error, 405 with `Allow`, the
 * validation pipe and the OpenAPI document. The application must be created with
 * `bodyParser: false`, so this parser is the only one.
 */
export function configureHttp(
  app: NestExpressApplication,
  options: HttpOptions,
  logger: Logger,
  drain?: HttpDrain,
): void {
  // Naming the framework helps no client and tells an attacker which exploits to try.
  app.disable('x-powered-by');
  const routes = new RouteTable(
    () => (app.getHttpAdapter().getInstance() as ExpressInstance).router.stack,
  );
  app.use(requestLogging(logger));
  if (options.corsOrigins.length > 0) app.use(corsMiddleware(options.corsOrigins, routes));
  if (drain) app.use(drain.middleware());
  app.use(requireJsonBodies());
  app.useBodyParser('json', {
    limit: options.maxBodyBytes,
    strict: true,
    reviver: rejectForbiddenKeys,
    type: (request: HttpRequest) => isJsonMediaType(request.headers['content-type']),
  });
  app.use(bodyParserErrors(options.maxBodyBytes));
  // The OpenAPI document is served outside NestJS routing, so the guard does not see it.
  app.use((request: HttpRequest, response: HttpResponse, next: NextFunction) => {
    if (!(request.url ?? '').startsWith(`/${OPENAPI_PATH}`)) return next();
    try {
      authorize(options.apiKeys, request.headers, 'read');
      next();
    } catch (error) {
      if (!(error instanceof ApiException)) return next(error);
      sendProblem(response, error.getStatus(), error.code, error.message);
    }
  });
  app.useGlobalFilters(new ApiExceptionFilter(logger, routes));
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
}
