import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Caller } from './jwt.strategy.js';

const SCOPES = 'requiredScopes';

/** The route needs every one of these scopes in the access token's `scope`. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(SCOPES, scopes);

/** Runs after JwtAuthGuard: a valid token without the route's scopes is a 403, not a 401. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(SCOPES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const { user } = context.switchToHttp().getRequest<{ user: Caller }>();
    const missing = required.filter((scope) => !user.scopes.includes(scope));
    if (missing.length > 0) throw new ForbiddenException(`missing scope: ${missing.join(' ')}`);
    return true;
  }
}
