import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { uuidv7 } from '../common/crypto/ids';
import { Clock, InjectClock } from '../common/time/clock';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { Role, User, UserPatch } from './user';
import { InjectUserStore, UserPage, UserStore } from './user.store';

export interface NewUser {
  email: string;
  username: string;
  password: string;
  roles?: Role[];
  scopes?: string[];
  /** Only for addresses the operator vouches for (the bootstrap admin); otherwise unverified. */
  emailVerified?: boolean;
}

/** Users: creation under the password policy, look-ups, updates. */
@Injectable()
export class UsersService {
  constructor(
    @InjectUserStore() private readonly users: UserStore,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    @InjectClock() private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** `actorId`: the admin creating the user, if any (absent for self-registration). */
  async create(input: NewUser, actorId?: string): Promise<User> {
    this.policy.check(input.password, input);
    const now = new Date(this.clock.now()).toISOString();
    const roles: Role[] = ['user', ...(input.roles ?? []).filter((r) => r !== 'user')];
    const user: User = {
      id: uuidv7(this.clock.now()),
      email: input.email,
      username: input.username,
      passwordHash: await this.hasher.hash(input.password),
      roles: [...new Set(roles)],
      scopes: [...new Set(input.scopes ?? [])],
      active: true,
      emailVerified: input.emailVerified ?? false,
      createdAt: now,
      updatedAt: now,
    };
    const result = await this.users.create(user);
    if (result.ok) {
      this.audit.record({
        event: AuditEventType.UserCreated,
        userId: user.id,
        details: { roles: user.roles, by: actorId ?? user.id },
      });
      return user;
    }
    if (result.conflict === 'email')
      throw new AppError(AppErrorCode.EmailTaken, 'That email is already registered.');
    if (result.conflict === 'username')
      throw new AppError(AppErrorCode.UsernameTaken, 'That username is taken.');
    throw new Error('User id collision');
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** A user by email or username; inactive users too (callers decide). */
  findByLogin(login: string): Promise<User | null> {
    return this.users.findByLogin(login);
  }

  /** The id of the user with this email or username, without reading the user. */
  idByLogin(login: string): Promise<string | null> {
    return this.users.idByLogin(login);
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw notFound();
    return user;
  }

  /** Applies the patch; 404 when there is no such user, 409 when it would remove the last admin. */
  async update(id: string, patch: UserPatch): Promise<User> {
    const result = await this.users.update(id, patch, this.nowIso());
    switch (result.status) {
      case 'updated':
        return result.user;
      case 'not-found':
      case 'condition-failed':
        throw notFound();
      case 'last-admin':
        throw lastAdmin();
    }
  }

  /**
   * Replaces the password hash only while it is still `verified` (the one just checked against
   * the password) and the user is still active, in one compare-and-set: a rehash, a change or a
   * reset must never overwrite a password changed at the same moment, nor write one onto an
   * account deactivated since the caller looked it up. False when it did not.
   */
  async replacePasswordHash(id: string, verified: string, next: string): Promise<boolean> {
    const condition = { passwordHash: verified, active: true } as const;
    const result = await this.users.update(id, { passwordHash: next }, this.nowIso(), condition);
    return result.status === 'updated';
  }

  /**
   * Marks the email verified, only while it is still `email` (the address the proof was sent
   * to): an email changed since then stays unverified. The user as it now is, or null when it is
   * gone or its email changed.
   */
  async markEmailVerified(id: string, email: string): Promise<User | null> {
    const result = await this.users.update(id, { emailVerified: true }, this.nowIso(), { email });
    return result.status === 'updated' ? result.user : null;
  }

  /** 404 when there is no such user, 409 when it is the last active admin. */
  /**
   * Data of a user kept by modules that build on this one (e.g. a second factor), erased when
   * the user is deleted: they register here, since this module cannot know them.
   */
  private readonly erasers: ((userId: string) => Promise<unknown>)[] = [];

  onDelete(erase: (userId: string) => Promise<unknown>): void {
    this.erasers.push(erase);
  }

  async delete(id: string): Promise<void> {
    const result = await this.users.delete(id);
    if (result === 'not-found') throw notFound();
    if (result === 'last-admin') throw lastAdmin();
    await Promise.all(this.erasers.map((erase) => erase(id)));
  }

  list(limit: number, cursor?: string): Promise<UserPage> {
    return this.users.list(limit, cursor);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/** 404 problem: no such user (or no longer). */
export function notFound(): AppError {
  return new AppError(AppErrorCode.NotFound, 'No such user.');
}

/** Someone must stay able to manage users: the store refuses to remove the last active admin. */
function lastAdmin(): AppError {
  return new AppError(
    AppErrorCode.LastAdmin,
    'This is the last active admin; make another admin first.',
  );
}
