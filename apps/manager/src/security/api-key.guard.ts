import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type HttpRequest } from '../http/http-types';
import { currentRequestContext } from '../logging/request-context';
import { PublicRoute, RequiresRole } from './access.decorator';
import { authorize } from './api-access';
import { type ApiKey, type ApiRole } from './api-keys';

export const API_KEYS = Symbol('API_KEYS');

/** Global guard: every route needs a key with the right role when `WM_API_KEYS` is set, except {@link PublicRoute}s. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: readonly ApiKey[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // The message handlers (AMQP consumers) inherit the app's global guards: they are no HTTP
    // calls and carry no key. Guarding them failed every worker response once WM_API_KEYS was
    // set (found by the webhook tests of issue 17).
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride(PublicRoute, targets) === true) return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const required: ApiRole =
      this.reflector.getAllAndOverride(RequiresRole, targets) ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'operate');
    const principal = authorize(this.keys, request.headers, required);
    const requestContext = currentRequestContext();
    if (requestContext && principal !== undefined) requestContext.principal = principal;
    return true;
  }
}
