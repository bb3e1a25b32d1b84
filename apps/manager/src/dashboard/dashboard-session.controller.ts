import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { REQUEST_STATES, RETRYABLE_REQUEST_STATES } from '@org/protocol';
import { CANCELLABLE_STATES, DELETABLE_STATES } from '../requests/engine/operations';
import { ApiException } from '../http/api-error';
import { type HttpResponse } from '../http/http-types';
import { PublicRoute } from '../security/access.decorator';
import { AuditLogRepository } from './audit-log.repository';
import {
  DashboardAccessGuard,
  DashboardOpenRoute,
  type DashboardRequest,
} from './dashboard-access.guard';
import { DashboardSessions, sameOrigin, sessionCookie } from './dashboard-session';
import { SignInThrottle } from './sign-in-throttle';

export class SignInBodyDto {
  @IsString()
  @MaxLength(512)
  key!: string;
}

/** What the page learns about its visitor (the CSRF token only goes to its own origin). */
export interface SessionView {
  readonly authRequired: boolean;
  readonly signedIn: boolean;
  readonly name: string | null;
  readonly role: string | null;
  readonly csrfToken: string | null;
  /** Every state, and the states each action accepts (buttons a row's state forbids are disabled). */
  readonly states: readonly string[];
  readonly actionStates: Readonly<Record<'retry' | 'cancel' | 'delete', readonly string[]>>;
}

const STATES = {
  states: REQUEST_STATES,
  actionStates: {
    retry: RETRYABLE_REQUEST_STATES,
    cancel: CANCELLABLE_STATES,
    delete: DELETABLE_STATES,
  },
} as const;

/** Sign-in with an API key (a session cookie from then on), sign-out, and who is signed in. */
@ApiExcludeController()
@PublicRoute()
@DashboardOpenRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/session')
export class DashboardSessionController {
  private readonly throttle = new SignInThrottle();

  constructor(
    @Inject(DashboardSessions) private readonly sessions: DashboardSessions,
    private readonly audit: AuditLogRepository,
  ) {}

  @Get()
  current(@Req() request: DashboardRequest): SessionView {
    const principal = request.dashboardPrincipal;
    return {
      authRequired: this.sessions.authRequired,
      signedIn: principal !== undefined,
      name: principal?.name ?? null,
      role: principal?.role ?? null,
      csrfToken: principal ? this.sessions.csrfToken(principal) : null,
      ...STATES,
    };
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  async signIn(
    @Body() body: SignInBodyDto,
    @Req() request: DashboardRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<SessionView> {
    // A sign-in forged from another site would sign the victim in as the attacker.
    if (!sameOrigin(request.headers))
      throw new ApiException(HttpStatus.FORBIDDEN, 'forbidden', 'cross-site sign-in refused');
    const address = request.socket.remoteAddress ?? 'unknown';
    const waitMs = this.throttle.waitMs(address);
    if (waitMs > 0) {
      throw new ApiException(
        HttpStatus.UNAUTHORIZED,
        'unauthorized',
        `too many failed sign-ins from this address: try again in ${Math.ceil(waitMs / 1000)} s`,
      );
    }
    const key = this.sessions.findKey(body.key);
    if (!this.sessions.authRequired || !key) {
      this.throttle.failed(address);
      throw new ApiException(HttpStatus.UNAUTHORIZED, 'unauthorized', 'the API key is not valid');
    }
    this.throttle.succeeded(address);
    const token = this.sessions.issue(key);
    response.setHeader('Set-Cookie', sessionCookie(token, isHttps(request)));
    await this.audit.append({
      actor: key.name,
      action: 'sign-in',
      target: {},
      count: null,
      skipped: null,
      outcome: 'done',
    });
    const principal = this.sessions.verify(token)!;
    return {
      authRequired: true,
      signedIn: true,
      name: key.name,
      role: key.role,
      csrfToken: this.sessions.csrfToken(principal),
      ...STATES,
    };
  }

  @Post('sign-out')
  @HttpCode(HttpStatus.NO_CONTENT)
  signOut(
    @Req() request: DashboardRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): void {
    response.setHeader('Set-Cookie', sessionCookie('', isHttps(request)));
  }
}

/** Behind a TLS-terminating proxy the cookie must still be Secure. */
function isHttps(request: DashboardRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  return (
    (request.socket as { encrypted?: boolean }).encrypted === true ||
    (typeof forwarded === 'string' && forwarded.split(',')[0]!.trim() === 'https')
  );
}
