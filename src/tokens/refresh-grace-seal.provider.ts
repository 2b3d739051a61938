import { FactoryProvider, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { developmentKey } from '../common/crypto/development-key';
import { jwtConfig, JwtConfig, securityConfig, SecurityConfig } from '../config/configuration';
import { RefreshGraceSeal } from './refresh-grace';

/** The development key file, beside the signing keys (git-ignored with them). */
export const GRACE_DEVELOPMENT_KEY_FILE = 'refresh-grace.key';

/**
 * The seal of REFRESH_GRACE_KEY. Without it (never in production with a grace window: start-up
 * refuses that) a key is read from, or made once in, JWT_KEYS_DIR, which instances of one
 * development deployment share. Without a grace window nothing is ever sealed: a key of this
 * process only, and no file.
 */
export const refreshGraceSealProvider: FactoryProvider<RefreshGraceSeal> = {
  provide: RefreshGraceSeal,
  inject: [securityConfig.KEY, jwtConfig.KEY],
  useFactory: async (security: SecurityConfig, jwt: JwtConfig): Promise<RefreshGraceSeal> => {
    if (security.refreshGraceKey) return new RefreshGraceSeal(security.refreshGraceKey);
    if (security.refreshReuseGraceSeconds === 0) return new RefreshGraceSeal(randomBytes(32));
    const key = await developmentKey(jwt.keysDir, GRACE_DEVELOPMENT_KEY_FILE, (file) =>
      new Logger('Tokens').warn(
        `REFRESH_GRACE_KEY is not set: refresh grace answers are sealed with a development key made in ${file}`,
      ),
    );
    return new RefreshGraceSeal(key);
  },
};
