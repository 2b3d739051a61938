import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { User } from '../../users/user';

/** Metadata key: the route reads the caller's account (see WithCallerAccount). */
export const CALLER_ACCOUNT_KEY = 'tessera:caller-account';

/** Where JwtAuthGuard leaves the account read for a route that asked for it. */
export const CALLER_ACCOUNT = Symbol('tessera:caller-account');

/** Set by JwtAuthGuard on a request whose route reads the account, for JwtStrategy to see. */
export const READS_ACCOUNT = Symbol('tessera:reads-account');

/** A request JwtAuthGuard may leave the caller's account on. */
export interface WithAccountRead {
  [READS_ACCOUNT]?: true;
  [CALLER_ACCOUNT]?: Promise<User>;
}

/**
 * The route needs the caller's account (`@CallerAccount()`): JwtAuthGuard reads it alongside
 * the session check, in the same Redis round trip, instead of the handler reading it after.
 * The handler receives it only once the token has been accepted.
 */
export const WithCallerAccount = () => SetMetadata(CALLER_ACCOUNT_KEY, true);

/**
 * The caller's account (404 problem when it no longer exists), read by JwtAuthGuard together
 * with the session check; on a route marked `@WithCallerAccount()` only.
 */
export const CallerAccount = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Promise<User> =>
    callerAccountOf(ctx.switchToHttp().getRequest<WithAccountRead>()),
);

/** The account read JwtAuthGuard left on `request` (what `@CallerAccount()` gives). */
export function callerAccountOf(request: WithAccountRead): Promise<User> {
  const account = request[CALLER_ACCOUNT];
  if (!account) throw new Error('CallerAccount used on a route without @WithCallerAccount()');
  return account;
}
