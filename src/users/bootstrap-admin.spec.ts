import { aStoredUser, usersServiceOver } from '../../test/factories/stored-user.factory';
import { AppConfig } from '../config/configuration';
import { BootstrapAdmin } from './bootstrap-admin';
import { MemoryUserStore } from './stores/memory-user.store';
import { Role, User } from './user';

const ADMIN = { email: 'Admin@Example.test', username: 'admin', password: 'unused-here-1' };
const ID = '0190aaaa-0000-7000-8000-000000000001';

/** A user as stored before email verification existed: no `emailVerified` at all. */
function legacyUser(roles: Role[]): User {
  return aStoredUser({ id: ID, email: 'admin@example.test', username: 'admin', roles });
}

async function bootWith(stored: User): Promise<MemoryUserStore> {
  const store = new MemoryUserStore();
  await store.create(stored);
  const app = { bootstrapAdmin: ADMIN } as unknown as AppConfig;
  const bootstrap = new BootstrapAdmin(app, usersServiceOver(store));
  await bootstrap.onApplicationBootstrap();
  bootstrap.onApplicationShutdown();
  return store;
}

describe('BootstrapAdmin on an existing admin', () => {
  it('marks the email of an admin stored before verification existed verified', async () => {
    const store = await bootWith(legacyUser(['user', 'admin']));
    await expect(store.findById(ID)).resolves.toMatchObject({
      emailVerified: true,
    });
  });

  it('leaves a non-admin account registered with the configured address unverified', async () => {
    const store = await bootWith(legacyUser(['user']));
    const user = await store.findById(ID);
    expect(user?.emailVerified).not.toBe(true);
  });
});
