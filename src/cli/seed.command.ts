import { randomBytes } from 'node:crypto';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { Env } from '../config/env.validation';
import { Role } from '../users/user';
import { UsersService } from '../users/users.service';

/** The development accounts `npm run seed` makes: one admin, one plain user. */
export const SEED_ACCOUNTS: readonly { username: string; email: string; roles: Role[] }[] = [
  { username: 'admin', email: 'admin@example.com', roles: ['admin'] },
  { username: 'alice', email: 'alice@example.com', roles: [] },
];

export const SEED_IN_PRODUCTION =
  'npm run seed makes development accounts and refuses NODE_ENV=production.';

/**
 * Why `npm run seed` must not run against this environment, or null. Production: development
 * accounts with printed passwords have no place there. The in-memory store: it lives inside the
 * server process, so accounts made by another process would vanish with it; the bootstrap admin
 * is the way there.
 */
export function seedRefusal(env: Env): string | null {
  if (env.app.production) return SEED_IN_PRODUCTION;
  if (env.store.driver.kind === 'memory') {
    return [
      'REDIS_URL is unset: the in-memory store lives inside the server process, so there is',
      'nothing to seed from here. Either start Redis and run REDIS_URL=redis://127.0.0.1:6379',
      'npm run seed (and start the service with the same REDIS_URL), or have the service create',
      'an admin itself: BOOTSTRAP_ADMIN_EMAIL=admin@example.com BOOTSTRAP_ADMIN_PASSWORD=<a',
      'password of 12+ characters> npm start.',
    ].join('\n');
  }
  return null;
}

/**
 * Creates the SEED_ACCOUNTS that do not exist yet, each with a new random password printed once
 * through `out`; accounts that exist are left as they are (a second run changes nothing).
 * Returns the process exit code.
 */
export async function runSeed(users: UsersService, out: (line: string) => void): Promise<number> {
  const lines: string[] = [];
  let created = 0;
  for (const account of SEED_ACCOUNTS) {
    // 18 random bytes: 24 base64url characters, far beyond the policy's 12 and any word list.
    const password = randomBytes(18).toString('base64url');
    const label = `${account.roles.includes('admin') ? 'admin' : 'user '}  ${account.username}  ${account.email}`;
    if (await createUnlessTaken(users, { ...account, password })) {
      created++;
      lines.push(`${label}  password: ${password}`);
    } else {
      lines.push(`${label}  exists already: left as it is (password not shown)`);
    }
  }
  lines.push(
    created > 0
      ? 'Passwords are shown once. Sign in with POST /auth/login {"username", "password"}.'
      : 'Nothing to do: every seed account exists.',
  );
  // Together, once every account is made: the audit lines of their creation (stderr) come
  // before this block instead of between the passwords.
  lines.forEach((line) => out(line));
  return 0;
}

/** False when a user with that email or username exists (also one made a moment ago). */
async function createUnlessTaken(
  users: UsersService,
  account: { username: string; email: string; roles: Role[]; password: string },
): Promise<boolean> {
  if (await users.findByLogin(account.username)) return false;
  if (await users.findByLogin(account.email)) return false;
  try {
    await users.create(account);
    return true;
  } catch (error) {
    const taken = [AppErrorCode.EmailTaken, AppErrorCode.UsernameTaken];
    if (error instanceof AppError && taken.includes(error.code)) return false;
    throw error;
  }
}
