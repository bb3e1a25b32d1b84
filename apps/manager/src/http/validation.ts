import { HttpStatus, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiException, type ApiErrorDetail } from './api-error';

/**
 * The pipe every body, query and path parameter goes through: unknown fields are refused (not
 * silently dropped, so a typo is noticed), values are converted to the DTO's types, and every
 * problem is reported with its path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationException(flattenValidationErrors(errors, '')),
  });
}

export function validationException(
  details: readonly ApiErrorDetail[],
  subject = 'the request',
): ApiException {
  const summary = details
    .slice(0, 5)
    .map((detail) => `${detail.path}: ${detail.message}`)
    .join('; ');
  const more = details.length > 5 ? ` (and ${details.length - 5} more)` : '';
  return new ApiException(
    HttpStatus.BAD_REQUEST,
    'validation_failed',
    `${subject} is invalid: ${summary}${more}`,
    details,
  );
}

/** class-validator's nested errors as one flat list of `path: message`. */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  prefix: string,
): ApiErrorDetail[] {
  const details: ApiErrorDetail[] = [];
  for (const error of errors) {
    const path = joinPath(prefix, error.property);
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      details.push({
        path: path === '' ? '(body)' : path,
        message: humanise(constraint, message, error.property),
      });
    }
    if (error.children && error.children.length > 0)
      details.push(...flattenValidationErrors(error.children, path));
  }
  return details;
}

function joinPath(prefix: string, property: string): string {
  if (/^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix === '' ? property : `${prefix}.${property}`;
}

function humanise(constraint: string, message: string, property: string): string {
  if (constraint === 'whitelistValidation') return 'is not a known field; remove it';
  if (constraint === 'unknownValue') return 'must be a JSON object';
  // class-validator starts most messages with the property name; the path already names it.
  if (message.startsWith(`each value in ${property} `))
    return `each value ${message.slice(`each value in ${property} `.length)}`;
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
