import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { type ApiKey, type ApiRole, findApiKey } from '../security/api-keys';

/** Name of the browser's session cookie. */
export const SESSION_COOKIE = 'wm_session';
/** Header the dashboard's scripts send their CSRF token in (a cross-site form cannot set it). */
export const CSRF_HEADER = 'x-csrf-token';
/** How long a sign-in lasts. @default 12 hours */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Who is looking at the dashboard, and what they may do. */
export interface DashboardPrincipal {
  /** API key name, or `anonymous` when authentication is off. */
  readonly name: string;
  readonly role: ApiRole;
  /** The signed session it came from (undefined: an API key header or authentication off). */
  readonly session?: string;
}

interface SessionClaims {
  readonly n: string;
  readonly r: ApiRole;
  /** Expiry, epoch milliseconds. */
  readonly e: number;
  /** Random nonce: two sign-ins never share a token (nor a CSRF token). */
  readonly x: string;
}

/**
 * Signs and checks the dashboard's session cookies and CSRF tokens. The secret is derived from
 * the namespace and the configured keys' digests, so every replica with the same configuration
 * accepts the same cookies, and changing or removing a key invalidates every session.
 */
export class DashboardSessions {
  private readonly secret: Buffer;

  constructor(
    private readonly keys: readonly ApiKey[],
    namespace: string,
  ) {
    const hash = createHash('sha256').update(`wm-dashboard-session:${namespace}`);
    for (const key of keys) hash.update(key.name).update(key.role).update(key.sha256);
    this.secret = hash.digest();
  }

  /** True when `WM_API_KEYS` is set: the dashboard then needs a sign-in. */
  get authRequired(): boolean {
    return this.keys.length > 0;
  }

  /** The configured key matching a presented secret, or undefined. */
  findKey(presented: string): ApiKey | undefined {
    return findApiKey(this.keys, presented);
  }

  /** A signed session for a key; `now` for tests. */
  issue(key: ApiKey, now = Date.now()): string {
    const claims: SessionClaims = {
      n: key.name,
      r: key.role,
      e: now + SESSION_TTL_MS,
      x: randomBytes(12).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${body}.${this.mac(`session:${body}`)}`;
  }

  /** The principal of a valid, unexpired session whose key still exists with that role. */
  verify(token: string, now = Date.now()): DashboardPrincipal | undefined {
    const [body, mac] = token.split('.');
    if (body === undefined || mac === undefined || !equal(mac, this.mac(`session:${body}`)))
      return undefined;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.e !== 'number' || claims.e <= now) return undefined;
    const key = this.keys.find((candidate) => candidate.name === claims.n);
    if (!key || key.role !== claims.r) return undefined;
    return { name: key.name, role: key.role, session: token };
  }

  /** The CSRF token of a principal: bound to its session, or to "anonymous" without sign-in. */
  csrfToken(principal: DashboardPrincipal): string {
    return this.mac(`csrf:${principal.session ?? principal.name}`);
  }

  checkCsrf(principal: DashboardPrincipal, presented: string | undefined): boolean {
    return presented !== undefined && equal(presented, this.csrfToken(principal));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** One cookie's value from the `Cookie` header. */
export function cookieOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value of a session (empty value and Max-Age=0 sign out). */
export function sessionCookie(value: string, secure: boolean): string {
  const maxAge = value === '' ? 0 : Math.floor(SESSION_TTL_MS / 1000);
  // HttpOnly: scripts never see it; SameSite=Strict: no cross-site request carries it.
  return `${SESSION_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/**
 * True when the request comes from the page's own origin: a browser always sends `Origin` on
 * a cross-origin POST, so a mismatch is a forgery (absent: a non-browser client).
 */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
