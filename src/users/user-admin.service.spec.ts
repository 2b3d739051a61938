import { aStoredUser, usersServiceOver } from '../../test/factories/stored-user.factory';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { MemoryUserStore } from './stores/memory-user.store';
import { User } from './user';
import { UserAdminService } from './user-admin.service';

function anAdmin(id: string): User {
  const name = `admin-${id.slice(-4)}`;
  return aStoredUser({
    id,
    email: `${name}@example.test`,
    username: name,
    roles: ['user', 'admin'],
  });
}

describe('UserAdminService last-admin guard', () => {
  // The access rules make this unreachable over HTTP (no self-demotion, and the admin demoting
  // another is itself an active admin), so it is checked here: a caller whose admin account is
  // gone (or a race between two admins) must still not leave the system without an admin.
  // Sessions and audit are never reached on the refused path, hence the empty stand-ins.
  it('refuses (409) to demote, deactivate or delete the only active admin', async () => {
    const store = new MemoryUserStore();
    const only = anAdmin('0190aaaa-0000-7000-8000-000000000001');
    await store.create(only);
    const users = usersServiceOver(store);
    const service = new UserAdminService(users, null as never, null as never);
    const caller = {
      userId: '0190aaaa-0000-7000-8000-0000000000ff',
      roles: only.roles,
      scopes: ['users:write'], // an admin for the access rules: the role AND users:write
    };
    const refusals = [
      service.update(caller, only.id, { roles: ['user'] }),
      service.update(caller, only.id, { active: false }),
      service.delete(caller, only.id),
    ];
    for (const refused of refusals) {
      await expect(refused).rejects.toEqual(expect.any(AppError));
      await expect(refused).rejects.toHaveProperty('code', AppErrorCode.LastAdmin);
    }
    await expect(users.get(only.id)).resolves.toEqual(only);
  });
});
