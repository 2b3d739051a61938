import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../tokens/sessions.service';
import { Role, User, UserPatch } from './user';
import {
  assertMayCreate,
  assertMayDelete,
  assertMayUpdate,
  Caller,
  RightsChange,
} from './user-access.policy';
import { NewUser, UsersService } from './users.service';

/**
 * Changes to users through the admin API. Who may do what is decided here, from the caller's own
 * roles and token scopes (user-access.policy.ts), not only by the route guard: the guard lets a
 * scope-only `users:write` holder in, and must not let it escalate. Any change to what a user may
 * do (roles, scopes, deactivation, deletion) ends all their sessions at once, so no token minted
 * under the old rights survives.
 */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** `caller`: who creates the user; checked, and recorded in the audit trail. */
  create(caller: Caller, input: NewUser): Promise<User> {
    assertMayCreate(caller, input);
    return this.users.create(input, caller.userId);
  }

  /** `caller`: who makes the change; checked, and recorded in the audit trail. */
  async update(caller: Caller, id: string, patch: RightsChange): Promise<User> {
    const before = await this.users.get(id);
    assertMayUpdate(caller, before, patch);
    const change: UserPatch = {};
    if (patch.roles) change.roles = [...new Set<Role>(['user', ...patch.roles])];
    if (patch.scopes) change.scopes = [...new Set(patch.scopes)];
    if (patch.active !== undefined) change.active = patch.active;
    // The last-admin rule (409) is the store's: checked and written in one atomic step.
    const after = await this.users.update(id, change);
    if (rightsChanged(before, after)) await this.sessions.endAll(id, 'rights changed');
    this.audit.record({
      event: AuditEventType.UserUpdated,
      userId: id,
      details: { ...changedFields(patch), by: caller.userId },
    });
    return after;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const user = await this.users.get(id);
    assertMayDelete(caller, user);
    await this.users.delete(id);
    await this.sessions.endAll(id, 'user deleted');
    this.audit.record({
      event: AuditEventType.UserDeleted,
      userId: id,
      details: { by: caller.userId },
    });
  }
}

function rightsChanged(before: User, after: User): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return (
    !same(before.roles, after.roles) ||
    !same(before.scopes, after.scopes) ||
    before.active !== after.active
  );
}

function changedFields(patch: RightsChange) {
  return {
    ...(patch.roles ? { roles: patch.roles } : {}),
    ...(patch.scopes ? { scopes: patch.scopes } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
  };
}
