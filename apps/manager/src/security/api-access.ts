import { type IncomingHttpHeaders } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { ApiException } from '../http/api-error';
import { type ApiKey, type ApiRole, findApiKey, roleAllows } from './api-keys';

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}

/**
 * Checks a call against the configured keys: returns the key's name (undefined when
 * authentication is off) or throws 401 (no or unknown key) / 403 (key lacks the role).
 */
export function authorize(
  keys: readonly ApiKey[],
  headers: IncomingHttpHeaders,
  required: ApiRole,
): string | undefined {
  if (keys.length === 0) return undefined;
  const presented = presentedKey(headers);
  if (presented === undefined) {
    throw new ApiException(
      HttpStatus.UNAUTHORIZED,
      'unauthorized',
      'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"',
    );
  }
  const key = findApiKey(keys, presented);
  if (!key)
    throw new ApiException(HttpStatus.UNAUTHORIZED, 'unauthorized', 'the API key is not valid');
  if (!roleAllows(key.role, required)) {
    throw new ApiException(
      HttpStatus.FORBIDDEN,
      'forbidden',
      `the API key "${key.name}" has the ${key.role} role; this call needs ${required}`,
    );
  }
  return key.name;
}
