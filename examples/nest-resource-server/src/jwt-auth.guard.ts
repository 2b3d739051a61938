import { ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Caller } from './jwt.strategy.js';

/**
 * Passport's JWT check, with the reason for every refusal in the log ("token refused: jwt
 * audience invalid. expected: tessera-api"): a wrong TESSERA_ISSUER or TESSERA_AUDIENCE shows
 * at once. The client only learns that its token was refused.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('JwtAuthGuard');

  override handleRequest<TUser = Caller>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (user && !error) return user;
    this.logger.warn(`token refused: ${reasonOf(error ?? info)}`);
    // RFC 6750 §3: a 401 names the scheme, and invalid_token when a token was presented.
    const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const challenge = headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer';
    context.switchToHttp().getResponse<Reply>().header('WWW-Authenticate', challenge);
    throw new UnauthorizedException('invalid or missing access token');
  }
}

/** The part of Fastify's reply used here. */
interface Reply {
  header(name: string, value: string): unknown;
}

function reasonOf(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return typeof cause === 'string' ? cause : 'no token';
}
