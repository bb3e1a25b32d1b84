import { createHash, timingSafeEqual } from 'node:crypto';

/** What a key may do: `read` the API, or also `operate` it (submit, retry, cancel, delete, import configuration). */
export const API_ROLES = ['read', 'operate'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** One configured key, held only as its SHA-256 digest. */
export interface ApiKey {
  readonly name: string;
  readonly role: ApiRole;
  readonly sha256: Buffer;
}

/** Shortest plain-text key accepted: shorter ones are guessable. */
export const MIN_API_KEY_LENGTH = 16;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const HASHED = /^sha256:([0-9a-fA-F]{64})$/;

/**
 * Parses `WM_API_KEYS`: a comma-separated list of `name:role:key` entries, where `role` is `read`
 * or `operate` and `key` is either the secret itself (at least 16 characters) or
 * `sha256:<64 hex digits>`, its SHA-256 digest, so the plain key need not be in the
 * environment. Empty or unset: authentication is off. Any bad entry fails the start with the reason.
 *
 * ```
 * WM_API_KEYS=grafana:read:3f1c0d8e5a7b9c2d,ops:operate:sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * ```
 */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  if (value === undefined || value.trim() === '') return [];
  const keys: ApiKey[] = [];
  const names = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `WM_API_KEYS entry ${index + 1}`;
    const first = entry.indexOf(':');
    const second = entry.indexOf(':', first + 1);
    if (first < 0 || second < 0) throw new Error(`${where} is not "name:role:key"`);
    const name = entry.slice(0, first);
    const role = entry.slice(first + 1, second);
    const secret = entry.slice(second + 1);
    if (!NAME.test(name))
      throw new Error(`${where}: name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
    if (names.has(name)) throw new Error(`${where}: name "${name}" is used twice`);
    if (!(API_ROLES as readonly string[]).includes(role)) {
      throw new Error(
        `${where} ("${name}"): role "${role}" must be one of ${API_ROLES.join(', ')}`,
      );
    }
    const hashed = HASHED.exec(secret);
    let sha256: Buffer;
    if (hashed) sha256 = Buffer.from(hashed[1]!, 'hex');
    else if (secret.length >= MIN_API_KEY_LENGTH) sha256 = digest(secret);
    // The key itself is never echoed: the error would end up in a log.
    else
      throw new Error(
        `${where} ("${name}"): the key must be at least ${MIN_API_KEY_LENGTH} characters or sha256:<64 hex digits>`,
      );
    names.add(name);
    keys.push({ name, role: role as ApiRole, sha256 });
  });
  return keys;
}

export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * The key matching `presented`, or undefined. Compares digests (equal length) in constant time
 * and always walks every key, so timing says nothing about which key or how much of it matched.
 */
export function findApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const candidate = digest(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.sha256, candidate) && found === undefined) found = key;
  }
  return found;
}

/** `operate` includes `read`. */
export function roleAllows(granted: ApiRole, required: ApiRole): boolean {
  return granted === 'operate' || required === 'read';
}
