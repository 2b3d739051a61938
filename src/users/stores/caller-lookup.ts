import { FactoryProvider, Inject } from '@nestjs/common';
import { FailClosed } from '../../redis/fail-closed';
import { RedisConnection } from '../../redis/redis.connection';
import { RedisClient } from '../../redis/redis.scripts';
import { storeProvider } from '../../store/store.provider';
import { AccessCheck, ProofMark, SessionRef } from '../../tokens/session';
import { SessionStore } from '../../tokens/session.store';
import {
  accessCheckOf,
  generationKey,
  sessionKeyBase,
} from '../../tokens/stores/redis-session.store';
import { User } from '../user';
import { UserStore } from '../user.store';
import { parseUser, userRecordKey } from './redis-user.store';

/** The per-request access check, with the caller's account when the check passed. */
export interface CallerCheck {
  state: AccessCheck;
  /** Read only when `state` is 'active'; null when the account is gone. */
  account: User | null;
}

/** What a sign-in needs before the password check: the account and the generation it read. */
export interface SignInRecord {
  /** The user's credential generation, read no later than the account (SessionStore.generation). */
  generation: number;
  /** Null when the account is gone. */
  user: User | null;
}

/**
 * Reads that a request makes of the session store and the user store together, in one command
 * where the store allows it:
 * - the access check of `SessionStore.checkAccess` (DPoP proof mark included) together with the
 *   caller's account, for a route that answers with it (`@WithCallerAccount()`, GET /auth/me):
 *   on a single Redis one script (check_access_account.lua). An ioredis command, its timer and
 *   its promises are most of what an authenticated request costs (bench/README.md);
 * - a sign-in's credential generation and account (`signInRecord`): on a single Redis one MGET,
 *   which reads both at one instant, so no change that ends sessions can land between the two.
 */
export interface CallerLookup {
  checkWithAccount(ref: SessionRef, jti: string, proof?: ProofMark): Promise<CallerCheck>;
  signInRecord(userId: string): Promise<SignInRecord>;
}
export const CallerLookup = Symbol('CallerLookup');
export const InjectCallerLookup = () => Inject(CallerLookup);

/**
 * The two stores asked side by side: the in-memory driver, and a Redis Cluster, where the
 * session and the user record lie in different slots (still one round trip: both are sent in
 * the same tick, to their nodes).
 */
export class StoresCallerLookup implements CallerLookup {
  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UserStore,
  ) {}

  async checkWithAccount(ref: SessionRef, jti: string, proof?: ProofMark): Promise<CallerCheck> {
    const account = this.users.findById(ref.userId);
    // Refused callers never await it: keep its failure from becoming an unhandled rejection.
    account.catch(() => undefined);
    const state = await this.sessions.checkAccess(ref, jti, proof);
    return { state, account: state === 'active' ? await account : null };
  }

  async signInRecord(userId: string): Promise<SignInRecord> {
    // The generation first, then the user it vouches for: read the other way round, a change
    // landing in between would pass unseen. (Two slots on a Cluster: two round trips.)
    const generation = await this.sessions.generation(userId);
    return { generation, user: await this.users.findById(userId) };
  }
}

/** Standalone or Sentinel Redis: each lookup in one command (a script, an MGET). */
@FailClosed()
export class RedisCallerLookup implements CallerLookup {
  constructor(private readonly redis: RedisClient) {}

  async checkWithAccount(ref: SessionRef, jti: string, proof?: ProofMark): Promise<CallerCheck> {
    const [state, json = null] = await this.redis.checkAccessAccount(
      sessionKeyBase(ref.userId),
      userRecordKey(ref.userId),
      ref.sessionId,
      jti,
      proof?.id ?? '',
      proof?.until ?? '',
    );
    return { state: accessCheckOf(state), account: parseUser(json) };
  }

  async signInRecord(userId: string): Promise<SignInRecord> {
    const [generation, json] = await this.redis.mget(generationKey(userId), userRecordKey(userId));
    return { generation: Number(generation ?? 0), user: parseUser(json) };
  }
}

/** The client of a single Redis (standalone, Sentinel); null for a Cluster. */
export function singleRedisOf(connection: RedisConnection): RedisClient | null {
  return connection.client.isCluster ? null : connection.client;
}

/** One command on a single Redis, else the two stores side by side. */
export function callerLookupOf(
  client: RedisClient | null,
  sessions: SessionStore,
  users: UserStore,
): CallerLookup {
  return client ? new RedisCallerLookup(client) : new StoresCallerLookup(sessions, users);
}

/** A single Redis, or null where the stores are asked side by side (memory, Cluster). */
const OneScriptClient = Symbol('CallerLookupClient');

/** Provides `CallerLookup` for the configured driver; needs `SessionStore` and `UserStore`. */
export const callerLookupProviders: FactoryProvider[] = [
  storeProvider<RedisClient | null>(OneScriptClient, {
    memory: () => null,
    redis: singleRedisOf,
  }),
  {
    provide: CallerLookup,
    inject: [OneScriptClient, SessionStore, UserStore],
    useFactory: callerLookupOf,
  },
];
