import { AppConfig } from '../config/configuration';
import { SystemClock } from '../common/time/clock';
import { BootstrapAdmin } from './bootstrap-admin';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { MemoryUserStore } from './stores/memory-user.store';
import { Role, User } from './user';
import { UsersService } from './users.service';

const ADMIN = { email: 'Admin@Example.test', username: 'admin', password: 'unused-here-1' };

/** A user as stored before email verification existed: no `emailVerified` at all. */
function legacyUser(roles: Role[]): User {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id: '0190aaaa-0000-7000-8000-000000000001',
    email: 'admin@example.test',
    username: 'admin',
    passwordHash: 'h',
    roles,
    scopes: [],
    active: true,
    createdAt: at,
    updatedAt: at,
  };
}

async function bootWith(stored: User): Promise<MemoryUserStore> {
  const store = new MemoryUserStore();
  await store.create(stored);
  // No user is created on these paths, so no audit event: hence the empty stand-in.
  const users = new UsersService(
    store,
    new PasswordHasher(),
    new PasswordPolicy(),
    new SystemClock(),
    null as never,
  );
  const app = { bootstrapAdmin: ADMIN } as unknown as AppConfig;
  const bootstrap = new BootstrapAdmin(app, users);
  await bootstrap.onApplicationBootstrap();
  bootstrap.onApplicationShutdown();
  return store;
}

describe('BootstrapAdmin on an existing admin', () => {
  it('marks the email of an admin stored before verification existed verified', async () => {
    const store = await bootWith(legacyUser(['user', 'admin']));
    await expect(store.findById(legacyUser([]).id)).resolves.toMatchObject({
      emailVerified: true,
    });
  });

  it('leaves a non-admin account registered with the configured address unverified', async () => {
    const store = await bootWith(legacyUser(['user']));
    const user = await store.findById(legacyUser([]).id);
    expect(user?.emailVerified).not.toBe(true);
  });
});
