import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { AuthenticatedUser } from '../../tokens/token.types';

/** The authenticated caller JwtAuthGuard left on `request` (what `@CurrentUser()` gives). */
export function currentUserOf(
  request: FastifyRequest & { user?: AuthenticatedUser },
): AuthenticatedUser {
  if (!request.user) throw new Error('CurrentUser used on a route without authentication');
  return request.user;
}

/** The authenticated caller, as JwtAuthGuard left it on the request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser =>
    currentUserOf(ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>()),
);
