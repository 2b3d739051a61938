import { ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuditEventType } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { policyOf, readsCallerAccount } from './access-policy';
import { READS_ACCOUNT, WithAccountRead } from '../decorators/caller-account.decorator';
import { NO_TOKEN, presentedCredentials } from '../strategies/bearer-token';
import { JwtStrategy } from '../strategies/jwt.strategy';
import { VerifiedTokenCache } from '../strategies/verified-token.cache';

/** jsonwebtoken's failures, mapped to fixed reasons: never echo token content back. */
const JWT_REASONS: [RegExp, string][] = [
  [/^jwt expired/, 'token expired'],
  [/^jwt not active/, 'token not yet valid'],
  [/^jwt audience invalid/, 'wrong audience'],
  [/^jwt issuer invalid/, 'wrong issuer'],
  [/^invalid algorithm/, 'algorithm not allowed'],
  [/^invalid signature/, 'bad signature'],
];

/**
 * First global guard: every route needs a valid access token unless it is @Public(). Secure by
 * default: a route someone forgot to annotate is closed, not open.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly strategy: JwtStrategy,
    private readonly cache: VerifiedTokenCache,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (policyOf(this.reflector, context).kind === 'public') return true;
    // The answer is the caller's own: no shared or browser cache may keep it (a route that sets
    // its own Cache-Control, like the token responses, still does).
    context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & WithAccountRead & { user?: unknown }>();
    if (readsCallerAccount(this.reflector, context)) request[READS_ACCOUNT] = true;
    // A token verified before is found without parsing the header (presentedCredentials); any
    // other goes through passport, which parses it (bearerToken) and verifies it.
    const presented = presentedCredentials(request);
    const cached = presented === null ? undefined : this.cache.get(presented);
    if (!cached) return super.canActivate(context);
    // Verified before, byte for byte: skip passport and the signature, never the store check.
    return this.strategy.authorize(cached, request).then(
      (user) => {
        request.user = user;
        return true;
      },
      (error: unknown) => this.handleRequest(error, false, undefined),
    );
  }

  override handleRequest<T = AuthenticatedUser>(error: unknown, user: T | false, info: unknown): T {
    if (error instanceof AppError && error.code === AppErrorCode.InvalidToken)
      throw this.rejected(error);
    if (error instanceof Error) throw error;
    if (error) throw new Error('Authentication failed unexpectedly');
    if (user) return user;
    if (info instanceof Error && info.message === NO_TOKEN) {
      throw new AppError(
        AppErrorCode.Unauthenticated,
        'An access token is required (Authorization: Bearer <token>).',
      );
    }
    throw this.rejected(
      info instanceof AppError ? info : new AppError(AppErrorCode.InvalidToken, reasonOf(info)),
    );
  }

  /** Audits a refused token (the reason only, never the token) and returns the error to throw. */
  private rejected(error: AppError): AppError {
    this.audit.record({
      event: AuditEventType.TokenInvalid,
      details: { reason: error.detail ?? 'invalid token' },
    });
    return error;
  }
}

function reasonOf(info: unknown): string {
  const message = info instanceof Error ? info.message : '';
  return JWT_REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed token';
}
