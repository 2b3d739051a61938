import { ThrottlerStorage } from '@nestjs/throttler';
import pino from 'pino';
import { aStoredUser, usersServiceOver } from '../../../test/factories/stored-user.factory';
import { AuditInput } from '../../audit/audit-event';
import { AuditService } from '../../audit/audit.service';
import { secretHash } from '../../common/crypto/ids';
import { AppErrorCode } from '../../common/errors/app-error';
import { SystemClock } from '../../common/time/clock';
import { MailConfig } from '../../config/configuration';
import { Mailer } from '../../mail/mailer';
import { SessionsService } from '../../tokens/sessions.service';
import { PasswordHasher } from '../../users/password-hasher';
import { PasswordPolicy } from '../../users/password-policy';
import { MemoryUserStore } from '../../users/stores/memory-user.store';
import { User } from '../../users/user';
import { UsersService } from '../../users/users.service';
import { BackgroundWork } from '../user-tokens/background-work';
import { newUserToken } from '../user-tokens/user-token';
import { PasswordResetService } from './password-reset.service';
import { MemoryPasswordResetStore } from './stores/memory-password-reset.store';

const USER = aStoredUser({ id: '0190aaaa-0000-7000-8000-0000000000a1', passwordHash: 'old-hash' });
const NEW_PASSWORD = 'Analytical-Engine-1843';
const CLIENT = { ip: '192.0.2.1', userAgent: null };
const silent = () => pino({ enabled: false });

/** Stand-ins for what a test changes; the rest is real, over memory stores. */
interface Parts {
  users?: Partial<UsersService>;
  /** What ending the sessions does besides (the step between the reset's look-up and write). */
  endAll?: (users: MemoryUserStore) => Promise<void>;
  increment?: ThrottlerStorage['increment'];
}

async function aService(parts: Parts = {}) {
  const store = new MemoryUserStore();
  await store.create(structuredClone(USER));
  const tokens = new MemoryPasswordResetStore(new SystemClock());
  const recorded: AuditInput[] = [];
  const sessions = {
    endAll: async () => {
      await parts.endAll?.(store);
      return [];
    },
  } as unknown as SessionsService;
  const mailer = {
    appUrl: 'https://app.example.com',
    link: () => 'https://app.example.com/reset-password?token=x',
    send: () => true,
  } as unknown as Mailer;
  const within = { totalHits: 1, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 };
  const throttler: ThrottlerStorage = {
    increment: parts.increment ?? (() => Promise.resolve(within)),
  };
  const background = new BackgroundWork(silent());
  const service = new PasswordResetService(
    { passwordReset: true } as MailConfig,
    tokens,
    Object.assign(usersServiceOver(store), parts.users),
    new PasswordHasher(),
    new PasswordPolicy(),
    sessions,
    mailer,
    { record: (event: AuditInput) => recorded.push(event) } as unknown as AuditService,
    throttler,
    background,
    silent(),
  );
  return { store, tokens, recorded, background, service };
}

/** A reset of USER's password with a token mailed for its current one. */
async function aReset(endAll: Parts['endAll']) {
  const world = await aService({ endAll });
  const { token, hash } = newUserToken(USER.id);
  await world.tokens.save(USER.id, hash, secretHash(USER.passwordHash), 60_000);
  return { ...world, reset: () => world.service.reset(token, NEW_PASSWORD, CLIENT) };
}

describe('PasswordResetService.reset', () => {
  it('sets the password of an account that stays active', async () => {
    const { store, recorded, reset } = await aReset(() => Promise.resolve());
    await expect(reset()).resolves.toBeUndefined();
    const stored = await store.findById(USER.id);
    expect(stored?.passwordHash).not.toBe(USER.passwordHash);
    expect(recorded).toHaveLength(1);
  });

  // `endAll` runs between the reset's look-up of the user and its write of the password: a
  // stand-in that deactivates the user there is an admin deactivating the account at exactly
  // that moment, which no HTTP test can time.
  it('writes no password onto an account deactivated between its look-up and the write, and answers invalid-reset-token', async () => {
    const { store, recorded, reset } = await aReset(async (users) => {
      await users.update(USER.id, { active: false }, new Date().toISOString());
    });
    await expect(reset()).rejects.toHaveProperty('code', AppErrorCode.InvalidResetToken);
    await expect(store.findById(USER.id)).resolves.toMatchObject({
      active: false,
      passwordHash: USER.passwordHash,
    });
    expect(recorded).toEqual([]);
  });
});

describe('PasswordResetService.forgot', () => {
  it('lets a shutdown wait for the look-up of a request already answered, and audits it first', async () => {
    let found: (user: User) => void = () => undefined;
    const lookup = new Promise<User>((resolve) => (found = resolve));
    const { recorded, background, service } = await aService({
      users: { findByLogin: () => lookup },
    });
    service.forgot(USER.email, CLIENT); // returns at once: the caller answers 202 now
    let shutDown = false;
    const shutdown = background.beforeApplicationShutdown().then(() => (shutDown = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(shutDown).toBe(false);
    found(structuredClone(USER));
    await shutdown;
    expect(recorded).toEqual([
      expect.objectContaining({
        event: 'PASSWORD_RESET_REQUESTED',
        userId: USER.id,
        details: { mailed: true },
      }),
    ]);
  });

  it('audits the request as not mailed when the store fails after the look-up', async () => {
    const { recorded, background, service } = await aService({
      increment: () => Promise.reject(new Error('Connection is closed.')),
    });
    service.forgot(USER.email, CLIENT);
    await background.beforeApplicationShutdown();
    expect(recorded).toEqual([
      expect.objectContaining({ event: 'PASSWORD_RESET_REQUESTED', details: { mailed: false } }),
    ]);
  });
});
