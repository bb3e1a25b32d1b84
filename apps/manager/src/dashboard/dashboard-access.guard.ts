import {
  type CanActivate,
  type ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiException } from '../http/api-error';
import { type HttpRequest } from '../http/http-types';
import { currentRequestContext } from '../logging/request-context';
import { RequiresRole } from '../security/access.decorator';
import { presentedKey } from '../security/api-access';
import { type ApiRole, roleAllows } from '../security/api-keys';
import {
  CSRF_HEADER,
  type DashboardPrincipal,
  DashboardSessions,
  SESSION_COOKIE,
  cookieOf,
  sameOrigin,
} from './dashboard-session';

/** Marks a dashboard route that answers without a session (the page shell, sign-in). */
export const DashboardOpenRoute = Reflector.createDecorator<boolean>({ transform: () => true });

/** The request as the dashboard's guard leaves it: with the principal it found. */
export type DashboardRequest = HttpRequest & { dashboardPrincipal?: DashboardPrincipal };

/**
 * The dashboard's access check, in place of the API-key guard (its routes are public to that
 * one): a browser shows its session cookie, a script its API key; without `WM_API_KEYS` everyone
 * is the anonymous operator. GET needs `read`, anything else `operate` (or the route's
 * {@link RequiresRole}). Every action from a browser (cookie or anonymous) must come from the
 * page's origin and carry the session's CSRF token, so a forged cross-site request is refused
 * even by a browser that ignores SameSite.
 */
@Injectable()
export class DashboardAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DashboardSessions) private readonly sessions: DashboardSessions,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<DashboardRequest>();
    const open = this.reflector.getAllAndOverride(DashboardOpenRoute, targets) === true;
    const found = this.principalOf(request);
    if (found) request.dashboardPrincipal = found.principal;
    if (open) return true;
    if (!found)
      throw new ApiException(HttpStatus.UNAUTHORIZED, 'unauthorized', 'sign in to the dashboard');
    const read = request.method === 'GET' || request.method === 'HEAD';
    const required: ApiRole =
      this.reflector.getAllAndOverride(RequiresRole, targets) ?? (read ? 'read' : 'operate');
    if (!roleAllows(found.principal.role, required)) {
      throw new ApiException(
        HttpStatus.FORBIDDEN,
        'forbidden',
        `"${found.principal.name}" has the ${found.principal.role} role; this action needs ${required}`,
      );
    }
    if (!read && found.browser) this.refuseForgery(request, found.principal);
    const requestContext = currentRequestContext();
    if (requestContext) requestContext.principal = found.principal.name;
    return true;
  }

  private principalOf(
    request: HttpRequest,
  ): { principal: DashboardPrincipal; browser: boolean } | undefined {
    if (!this.sessions.authRequired)
      return { principal: { name: 'anonymous', role: 'operate' }, browser: true };
    const presented = presentedKey(request.headers);
    if (presented !== undefined) {
      const key = this.sessions.findKey(presented);
      return key ? { principal: { name: key.name, role: key.role }, browser: false } : undefined;
    }
    const cookie = cookieOf(request.headers, SESSION_COOKIE);
    const principal = cookie === undefined ? undefined : this.sessions.verify(cookie);
    return principal ? { principal, browser: true } : undefined;
  }

  private refuseForgery(request: HttpRequest, principal: DashboardPrincipal): void {
    const token = request.headers[CSRF_HEADER];
    if (
      !sameOrigin(request.headers) ||
      !this.sessions.checkCsrf(principal, typeof token === 'string' ? token : undefined)
    ) {
      throw new ApiException(
        HttpStatus.FORBIDDEN,
        'forbidden',
        'cross-site request refused: dashboard actions must come from the dashboard page with its CSRF token',
      );
    }
  }
}
