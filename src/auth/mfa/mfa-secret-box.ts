import { FactoryProvider, Logger } from '@nestjs/common';
import { developmentKey } from '../../common/crypto/development-key';
import { SecretBox } from '../../common/crypto/secret-box';
import { jwtConfig, JwtConfig, mfaConfig, MfaConfig } from '../../config/configuration';

/** Injection token of the SecretBox that seals TOTP secrets at rest. */
export const MFA_SECRET_BOX = Symbol('MfaSecretBox');

/** The development key file, beside the signing keys (git-ignored with them). */
export const DEVELOPMENT_KEY_FILE = 'mfa-encryption.key';

/**
 * The box of MFA_ENCRYPTION_KEY. Without it (never in production: start-up refuses that) a key
 * of its own is read from, or made once in, JWT_KEYS_DIR, so a development store with TOTP
 * secrets keeps working across restarts.
 */
export const mfaSecretBoxProvider: FactoryProvider<SecretBox> = {
  provide: MFA_SECRET_BOX,
  inject: [mfaConfig.KEY, jwtConfig.KEY],
  useFactory: async (mfa: MfaConfig, jwt: JwtConfig): Promise<SecretBox> => {
    if (mfa.encryptionKey) return new SecretBox(mfa.encryptionKey);
    const key = await developmentKey(jwt.keysDir, DEVELOPMENT_KEY_FILE, (file) =>
      new Logger('Mfa').warn(
        `MFA_ENCRYPTION_KEY is not set: TOTP secrets are sealed with a development key made in ${file}`,
      ),
    );
    return new SecretBox(key);
  },
};
