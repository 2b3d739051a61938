import { FailClosed } from '../../redis/fail-closed';
import { RedisClient } from '../../redis/redis.scripts';
import { ReplicaAcks } from '../../redis/replica-acks';
import { User, UserPatch } from '../user';
import {
  CreateUserResult,
  DeleteUserResult,
  isActiveAdmin,
  UpdateCondition,
  UpdateUserResult,
  UserPage,
  UserStore,
} from '../user.store';
import {
  applyPatch,
  decodeUserCursor,
  encodeUserCursor,
  holds,
  loginKey,
} from './user-store.helpers';

/*
 * Key layout (under the configured prefix). Every user key carries the hash tag `{users}`, so
 * the create and delete scripts see all the keys they touch atomically, also on a Cluster. The
 * trade-off: the whole user directory sits in one Cluster slot (one node). Users are few and
 * small next to sessions and are read once per login, so that node is not a hot spot; sessions,
 * which every request reads, are spread by their own per-session tags.
 */
/** The key of one user's record (its JSON). */
export const userRecordKey = (id: string) => `{users}:id:${id}`;

const key = {
  user: userRecordKey,
  email: (email: string) => `{users}:email:${loginKey(email)}`,
  username: (username: string) => `{users}:name:${loginKey(username)}`,
  /** ZSET of ids, all scored 0: ids are UUIDv7, so lexical order is creation order. */
  all: '{users}:all',
  /** SET of the ids of active admins, kept by the scripts: the last-admin rule counts it. */
  admins: '{users}:admins',
};

const CONFLICTS = ['email', 'username', 'id'] as const;
const UPDATE_ATTEMPTS = 5;

/**
 * Users in Redis: one JSON string per user plus unique email/username indexes. Changes and
 * deletions (which may take rights away) go through `acks`, answered once a replica has them.
 */
@FailClosed()
export class RedisUserStore implements UserStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly acks = new ReplicaAcks(redis, 0),
  ) {}

  async create(user: User): Promise<CreateUserResult> {
    const reply = await this.redis.userCreate(
      key.user(user.id),
      key.email(user.email),
      key.username(user.username),
      key.all,
      key.admins,
      user.id,
      JSON.stringify(user),
      isActiveAdmin(user) ? 1 : 0,
    );
    if (reply === 'ok') return { ok: true };
    const conflict = CONFLICTS.find((c) => c === reply);
    if (!conflict) throw new Error(`user_create.lua replied ${reply}`);
    return { ok: false, conflict };
  }

  async findById(id: string): Promise<User | null> {
    return parseUser(await this.redis.get(key.user(id)));
  }

  async findByLogin(login: string): Promise<User | null> {
    const id = await this.idByLogin(login);
    return id === null ? null : this.findById(id);
  }

  idByLogin(login: string): Promise<string | null> {
    // Usernames cannot contain '@', so a login with one is an email.
    return this.redis.get(login.includes('@') ? key.email(login) : key.username(login));
  }

  async update(
    id: string,
    patch: UserPatch,
    updatedAt: string,
    condition: UpdateCondition = {},
  ): Promise<UpdateUserResult> {
    // Read, merge here, compare-and-set in Redis: a concurrent update is never lost silently,
    // it makes this one retry on the fresh value (and check the condition on it again).
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.redis.get(key.user(id));
      const user = parseUser(current);
      if (current === null || user === null) return { status: 'not-found' };
      if (!holds(condition, user)) return { status: 'condition-failed' };
      const next = applyPatch(user, patch, updatedAt);
      const admin = isActiveAdmin(next) ? 1 : 0;
      const json = JSON.stringify(next);
      const replaced = await this.acks.run(
        'userReplace',
        key.user(id),
        key.admins,
        current,
        json,
        id,
        admin,
      );
      if (replaced === 1) return { status: 'updated', user: next };
      if (replaced === -1) return { status: 'not-found' };
      if (replaced === -2) return { status: 'last-admin' };
    }
    throw new Error(`user ${id} kept changing during update (${UPDATE_ATTEMPTS} attempts)`);
  }

  async delete(id: string): Promise<DeleteUserResult> {
    const user = await this.findById(id);
    if (!user) return 'not-found';
    const { email, username } = user;
    const keys = [key.user(id), key.email(email), key.username(username), key.all, key.admins];
    const reply = await this.acks.run(
      'userDelete',
      ...(keys as [string, string, string, string, string]),
      id,
    );
    if (reply === -2) return 'last-admin';
    return reply === 1 ? 'deleted' : 'not-found';
  }

  async list(limit: number, cursor?: string): Promise<UserPage> {
    if (limit <= 0) return { items: [], nextCursor: null };
    const start = cursor === undefined ? '-' : `(${decodeUserCursor(cursor)}`;
    // One more than asked tells whether another page exists.
    const ids = await this.redis.zrange(key.all, start, '+', 'BYLEX', 'LIMIT', 0, limit + 1);
    const pageIds = ids.slice(0, limit);
    const json = pageIds.length > 0 ? await this.redis.mget(pageIds.map(key.user)) : [];
    return {
      items: json.map(parseUser).filter((u): u is User => u !== null),
      nextCursor: ids.length > limit ? encodeUserCursor(pageIds[pageIds.length - 1]) : null,
    };
  }
}

export function parseUser(json: string | null): User | null {
  return json === null ? null : (JSON.parse(json) as User);
}
