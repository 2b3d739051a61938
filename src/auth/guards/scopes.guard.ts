import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, AppErrorCode } from '../../common/errors/app-error';
import { MFA_ENROL_SCOPE } from '../../tokens/token.service';
import { callerOf, hasAllScopes, policyOf } from './access-policy';

/**
 * Third global guard: on `authorized` routes, requires every listed scope in the token. Roles do
 * not count here: a role is only a source of default scopes at login, so an admin who asked for
 * `scope=profile` holds exactly `profile` (API.md, "Authorization is by scope"). An
 * enrolment-only token (scope `mfa:enrol`) passes only routes that accept it.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = policyOf(this.reflector, context);
    if (policy.kind === 'public') return true;
    if (callerOf(context).scopes.includes(MFA_ENROL_SCOPE)) {
      if (policy.kind === 'authenticated' && policy.enrolment) return true;
      throw new AppError(
        AppErrorCode.MfaEnrolmentRequired,
        'Your role requires a second factor: enrol at POST /auth/mfa/totp (or register a passkey at POST /auth/passkeys) first.',
      );
    }
    if (policy.kind !== 'authorized') return true;
    if (hasAllScopes(callerOf(context), policy.scopes)) return true;
    throw new AppError(
      AppErrorCode.Forbidden,
      `Your token lacks a required scope (this route needs: ${policy.scopes.join(' ')}).`,
      { requiredScopes: policy.scopes },
    );
  }
}
