import pino from 'pino';
import { aStoredUser, usersServiceOver } from '../../../test/factories/stored-user.factory';
import { AuditService } from '../../audit/audit.service';
import { secretHash } from '../../common/crypto/ids';
import { AppErrorCode } from '../../common/errors/app-error';
import { SystemClock } from '../../common/time/clock';
import { MailConfig } from '../../config/configuration';
import { SessionsService } from '../../tokens/sessions.service';
import { PasswordHasher } from '../../users/password-hasher';
import { PasswordPolicy } from '../../users/password-policy';
import { MemoryUserStore } from '../../users/stores/memory-user.store';
import { newUserToken } from '../user-tokens/user-token';
import { PasswordResetService } from './password-reset.service';
import { MemoryPasswordResetStore } from './stores/memory-password-reset.store';

const USER = aStoredUser({ id: '0190aaaa-0000-7000-8000-0000000000a1', passwordHash: 'old-hash' });
const NEW_PASSWORD = 'Analytical-Engine-1843';

/**
 * A reset over real memory stores. `endAll` is the step the reset takes between its look-up of
 * the user and its write of the password: a stand-in that deactivates the user there is an admin
 * deactivating the account at exactly that moment, which no HTTP test can time.
 */
async function aReset(endAll: (users: MemoryUserStore) => Promise<void>) {
  const users = new MemoryUserStore();
  await users.create(structuredClone(USER));
  const tokens = new MemoryPasswordResetStore(new SystemClock());
  const { token, hash } = newUserToken(USER.id);
  await tokens.save(USER.id, hash, secretHash(USER.passwordHash), 60_000);
  const recorded: unknown[] = [];
  const sessions = {
    endAll: async () => {
      await endAll(users);
      return [];
    },
  } as unknown as SessionsService;
  const audit = { record: (event: unknown) => recorded.push(event) } as unknown as AuditService;
  const service = new PasswordResetService(
    { passwordReset: true } as MailConfig,
    tokens,
    usersServiceOver(users),
    new PasswordHasher(),
    new PasswordPolicy(),
    sessions,
    null as never, // the mailer: a reset sends no mail
    audit,
    null as never, // the throttler: only forgot counts mails
    pino({ enabled: false }),
  );
  const client = { ip: '192.0.2.1', userAgent: null };
  return { users, recorded, reset: () => service.reset(token, NEW_PASSWORD, client) };
}

describe('PasswordResetService.reset', () => {
  it('sets the password of an account that stays active', async () => {
    const { users, recorded, reset } = await aReset(() => Promise.resolve());
    await expect(reset()).resolves.toBeUndefined();
    const stored = await users.findById(USER.id);
    expect(stored?.passwordHash).not.toBe(USER.passwordHash);
    expect(recorded).toHaveLength(1);
  });

  it('writes no password onto an account deactivated between its look-up and the write, and answers invalid-reset-token', async () => {
    const { users, recorded, reset } = await aReset(async (store) => {
      await store.update(USER.id, { active: false }, new Date().toISOString());
    });
    await expect(reset()).rejects.toHaveProperty('code', AppErrorCode.InvalidResetToken);
    await expect(users.findById(USER.id)).resolves.toMatchObject({
      active: false,
      passwordHash: USER.passwordHash,
    });
    expect(recorded).toEqual([]);
  });
});
