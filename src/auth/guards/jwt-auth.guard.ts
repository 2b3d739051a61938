import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { AuthenticatedUser } from '../../tokens/token.types';
import { policyOf } from './access-policy';
import { NO_TOKEN } from '../strategies/bearer-token';

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
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (policyOf(this.reflector, context).kind === 'public') return true;
    return super.canActivate(context);
  }

  override handleRequest<T = AuthenticatedUser>(error: unknown, user: T | false, info: unknown): T {
    if (error instanceof Error) throw error;
    if (error) throw new Error('Authentication failed unexpectedly');
    if (user) return user;
    if (info instanceof AppError) throw info;
    if (info instanceof Error && info.message === NO_TOKEN) {
      throw new AppError(
        AppErrorCode.Unauthenticated,
        'An access token is required (Authorization: Bearer <token>).',
      );
    }
    const message = info instanceof Error ? info.message : '';
    const reason = JWT_REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed token';
    throw new AppError(AppErrorCode.InvalidToken, reason);
  }
}
