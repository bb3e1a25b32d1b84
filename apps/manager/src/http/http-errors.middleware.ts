import { type ApiErrorCode } from './problem-codes';
import {
  type HttpRequest,
  type HttpResponse,
  type NextFunction,
  isJsonMediaType,
} from './http-types';
import { FORBIDDEN_KEY_MESSAGE } from './json-body';
import { sendProblem } from './send-problem';

/** The fields of the errors body-parser passes to `next` (an `http-errors` error). */
interface BodyParserError {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
  readonly message?: string;
}

/**
 * Express error middleware placed right after the body parser: its errors happen before NestJS
 * routing, so the exception filter never sees them. Renders them as problem details.
 */
export function bodyParserErrors(maxBodyBytes: number) {
  return (
    error: unknown,
    _request: HttpRequest,
    response: HttpResponse,
    next: NextFunction,
  ): void => {
    if (typeof error !== 'object' || error === null || response.headersSent) {
      next(error);
      return;
    }
    const failure = error as BodyParserError;
    const received = failure.status ?? failure.statusCode ?? 500;
    let status = received;
    let code: ApiErrorCode;
    let message: string;
    if (failure.type === 'entity.too.large') {
      code = 'payload_too_large';
      message = `the body is larger than the limit of ${maxBodyBytes} bytes (WM_MAX_BODY_BYTES); send fewer requests per call`;
    } else if (
      failure.type === 'entity.parse.failed' &&
      failure.message?.startsWith(FORBIDDEN_KEY_MESSAGE)
    ) {
      status = 400;
      code = 'forbidden_key';
      message = failure.message;
    } else if (failure.type === 'entity.parse.failed') {
      status = 400;
      code = 'invalid_json';
      message = `the body is not valid JSON: ${failure.message ?? 'parse error'}`;
    } else if (failure.type === 'encoding.unsupported' || failure.type === 'charset.unsupported') {
      code = 'unsupported_media_type';
      message = failure.message ?? 'unsupported body encoding';
    } else if (received >= 400 && received < 500 && failure.type !== undefined) {
      code = 'validation_failed';
      message = failure.message ?? 'the body could not be read';
    } else {
      next(error);
      return;
    }
    sendProblem(response, status, code, message);
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Refuses a body that is not JSON (`application/json` or `application/*+json`); it would
 * otherwise reach validation looking like no body at all.
 */
export function requireJsonBodies() {
  return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 ||
      request.headers['transfer-encoding'] !== undefined;
    if (
      BODY_METHODS.has(request.method ?? '') &&
      hasBody &&
      !isJsonMediaType(request.headers['content-type'])
    ) {
      const given = request.headers['content-type'] ?? 'a body without Content-Type';
      sendProblem(
        response,
        415,
        'unsupported_media_type',
        `bodies must be application/json (or an application/*+json type), not ${given}; send bytes base64-encoded in "payloadBase64"`,
      );
      return;
    }
    next();
  };
}
