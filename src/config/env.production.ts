import { refuseUnsafeProductionMail } from './env.mail';
import { refuseUnsafeProductionMfa } from './env.mfa';
import { refuseUnsafeProductionPasskeys } from './env.passkeys';
import { EnvError, EnvErrorCollector } from './env.parsers';
import type { Env } from './env.validation';

const DEVELOPMENT_ISSUER = 'http://localhost:3000';

/**
 * Refuses settings that are fine on a laptop and dangerous in production, each on its own line.
 * A value that was itself invalid (undefined here) is already reported: not twice.
 */
export function refuseUnsafeProduction(env: Env, check: EnvErrorCollector['check']): void {
  if (!env.app.production) return;
  const refuse = (variable: string, problem: string) =>
    check(() => {
      throw new EnvError(variable, problem);
    });
  if (env.store.driver?.kind === 'memory') {
    refuse('REDIS_URL', 'is required in production (the memory store is single-process)');
  }
  if (env.app.cookieSecure === false) refuse('COOKIE_SECURE', 'must be true in production');
  // Tokens would name a laptop as their issuer, and every published URL (JWKS, metadata) with it.
  if (env.jwt.issuer === DEVELOPMENT_ISSUER) {
    refuse(
      'JWT_ISSUER',
      `must be the public URL of the service in production, not ${DEVELOPMENT_ISSUER}`,
    );
  }
  // undefined: set and invalid, reported already. A host-made key would differ per instance.
  if (env.security.refreshReuseGraceSeconds > 0 && env.security.refreshGraceKey === null) {
    refuse(
      'REFRESH_GRACE_KEY',
      'is required in production (REFRESH_REUSE_GRACE_SECONDS is above 0; set it to 0 to run without a grace window)',
    );
  }
  refuseUnsafeProductionMail(env.mail, refuse);
  refuseUnsafeProductionMfa(env.mfa, refuse);
  refuseUnsafeProductionPasskeys(env.passkeys, refuse);
}
