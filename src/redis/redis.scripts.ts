import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';

type Key = string;

/**
 * Our Lua scripts as typed client commands. Keys come first (ioredis adds the key prefix to
 * them), then arguments. Scripts touch only keys that share one hash tag, so they run on a
 * Cluster too, except `checkAccessAccount` (single Redis only, see its script). Replies are what
 * the scripts return, unparsed.
 */
export interface ScriptCommands {
  /** 'ok' or the first conflicting index: 'email' | 'username' | 'id'. */
  userCreate(
    idKey: Key,
    emailKey: Key,
    nameKey: Key,
    allKey: Key,
    adminsKey: Key,
    id: string,
    json: string,
    activeAdmin: 0 | 1,
  ): Promise<string>;
  /** 1 deleted, 0 when there was none, -2 refused (the last active admin). */
  userDelete(
    idKey: Key,
    emailKey: Key,
    nameKey: Key,
    allKey: Key,
    adminsKey: Key,
    id: string,
  ): Promise<number>;
  /** Compare-and-set of the user JSON: 1 replaced, 0 changed meanwhile, -1 gone, -2 last admin. */
  userReplace(
    idKey: Key,
    adminsKey: Key,
    expected: string,
    next: string,
    id: string,
    activeAdmin: 0 | 1,
  ): Promise<number>;
  /** ['stale'] or ['created', ...evicted session ids] (session_create.lua). */
  sessionCreate(
    userBase: Key,
    generation: number,
    maxSessions: number,
    lastUsedAt: number,
    sessionId: string,
    expiresAt: number,
    ...fields: string[]
  ): Promise<string[]>;
  /** One flat [field, value, …] list per live session of the user. */
  sessionList(userBase: Key): Promise<string[][]>;
  /** The ids of the sessions that were live and are now ended; bumps the generation. */
  sessionEndAll(userBase: Key, keepSessionId: string): Promise<string[]>;
  /**
   * [status, ...flat session hash] with status 'rotated' | 'reused' | 'invalid', or
   * ['dpop-mismatch'], or ['grace', sealed, ...flat session hash]. The grace arguments are ''
   * without a grace window.
   */
  rotate(
    userBase: Key,
    sessionId: string,
    presented: string,
    next: string,
    now: number,
    jkt: string,
    graceClient: string,
    graceSealed: string,
    graceExpiresAt: number | '',
  ): Promise<string[]>;
  /** 'active' | 'session-ended' | 'token-revoked'. */
  checkAccess(userBase: Key, sessionId: string, jti: string): Promise<string>;
  /**
   * check_access.lua, and then the mark of a DPoP proof, once: 'proof-replayed' when it was
   * marked before (check_access_dpop.lua).
   */
  checkAccessDpop(
    userBase: Key,
    sessionId: string,
    jti: string,
    proofId: string,
    proofUntil: number,
  ): Promise<string>;
  /**
   * checkAccess or checkAccessDpop (proofId '': none) and, when 'active', the user's JSON (null
   * when gone), in one command: [state] or ['active', json | null]. Two hash tags: single Redis only.
   */
  checkAccessAccount(
    userBase: Key,
    userKey: Key,
    sessionId: string,
    jti: string,
    proofId: string,
    proofUntil: number | '',
  ): Promise<[string, (string | null)?]>;
  /** 1 when the session was live. */
  revoke(userBase: Key, sessionId: string): Promise<number>;
  /** 1 remembered, 0 when the generation moved on. */
  deviceRemember(
    userBase: Key,
    generation: number,
    deviceId: string,
    expiresAt: number,
    now: number,
    maxDevices: number,
  ): Promise<number>;
  /**
   * Reserves one login attempt on `numKeys` counters (keys, then window ms, then one limit per
   * key): [admitted 0|1, count, pttl, count, pttl, …] after reserving (unchanged when refused).
   */
  loginReserve(numKeys: number, ...keysThenArgs: (Key | number)[]): Promise<number[]>;
  /** Takes one reservation back from each counter, never below 0. */
  loginRefund(numKeys: number, ...counterKeys: Key[]): Promise<number>;
  /** [count, pttl] of a failed-login counter (pttl < 0 when there is none). */
  loginRead(counterKey: Key): Promise<[number, number]>;
  /** One throttled hit: [hits, window pttl, blocked 0|1, block pttl]. */
  throttle(
    hitsKey: Key,
    blockKey: Key,
    windowMs: number,
    limit: number,
    blockMs: number,
  ): Promise<[number, number, number, number]>;
  /** Appends an audit event (audit_append.lua): 'recorded' | 'summary' | 'counted'. */
  auditAppend(
    base: Key,
    id: string,
    json: string,
    userId: string,
    event: string,
    keep: number,
    noiseKey: string,
    perWindow: number,
    windowMs: number,
    now: number,
    summaryJson: string,
  ): Promise<string>;
  /** [json, count or '', …] of an audit index's newest events, newest first. */
  auditList(base: Key, index: string, limit: number): Promise<string[]>;
  /** Counts a WebSocket in and evicts beyond the caps: the evicted members, in one step. */
  wsAdmit(
    orderKey: Key,
    leasesKey: Key,
    sessionId: string,
    socketId: string,
    now: number,
    leaseMs: number,
    perSession: number,
    perUser: number,
  ): Promise<string[]>;
  /** 1 enabled, 0 MFA on already or the pending enrolment gone or another (mfa_enable.lua). */
  mfaEnable(
    factorKey: Key,
    pendingKey: Key,
    codesKey: Key,
    sealedSecret: string,
    enabledAt: number,
    step: number,
    ...codeHashes: string[]
  ): Promise<number>;
  /**
   * 'used', 'claimed' (the challenge was claimed already), 'replayed' (a step not later than
   * the last accepted) or 'refused' (mfa_accept_step.lua). Variable key count: 1, or 2 with
   * the challenge's claim key.
   */
  mfaAcceptStep(
    numKeys: 1 | 2,
    ...keysAndArgs: (string | number)[]
  ): Promise<'used' | 'claimed' | 'replayed' | 'refused'>;
  /**
   * As mfaAcceptStep, for a recovery code, and 'stale' when the codes are no longer the set
   * expected (mfa_use_recovery_code.lua). Variable key count: 2, or 3 with the claim key.
   */
  mfaUseRecoveryCode(
    numKeys: 2 | 3,
    ...keysAndArgs: (string | number)[]
  ): Promise<'used' | 'claimed' | 'stale' | 'refused'>;
  /** 1 the factor (the expected one, or any for '') and its codes are gone; 0 none. */
  mfaDisable(factorKey: Key, pendingKey: Key, codesKey: Key, sealedSecret: string): Promise<number>;
  /**
   * 'replaced'; 'stale' another renewal replaced the set meanwhile; 'gone' MFA is off or another
   * factor now (mfa_replace_codes.lua).
   */
  mfaReplaceCodes(
    factorKey: Key,
    codesKey: Key,
    sealedSecret: string,
    codesVersion: number,
    ...codeHashes: string[]
  ): Promise<'replaced' | 'stale' | 'gone'>;
  /** 'added', 'exists' or 'full' (passkey_add.lua). */
  passkeyAdd(
    passkeysKey: Key,
    usesKey: Key,
    id: string,
    json: string,
    counter: number,
    max: number,
  ): Promise<string>;
  /**
   * The credential key of the passkey removed, 0 no passkey of that id, -1 the last one and one
   * must stay (passkey_remove.lua).
   */
  passkeyRemove(
    passkeysKey: Key,
    usesKey: Key,
    id: string,
    keepOne: 0 | 1,
  ): Promise<string | number>;
  /** Removes a user's passkeys and registrations: the credential keys held (passkey_remove_all.lua). */
  passkeyRemoveAll(passkeysKey: Key, usesKey: Key, registrationsKey: Key): Promise<string[]>;
  /** 1 the credential id is now (or was already) the user's, 0 another user's (passkey_claim.lua). */
  passkeyClaim(claimKey: Key, userId: string): Promise<number>;
  /** 1 the user's claim of a credential id released, 0 not theirs (passkey_release.lua). */
  passkeyRelease(claimKey: Key, userId: string): Promise<number>;
  /** ['ok' | 'regressed' | 'missing', the counter stored before] (passkey_use.lua). */
  passkeyUse(
    passkeysKey: Key,
    usesKey: Key,
    id: string,
    counter: number,
    now: number,
  ): Promise<[string, number]>;
  /**
   * Keeps a registration challenge in the session's field of the user's hash, dropping expired
   * fields (passkey_reg_save.lua). `held` is "<expiresAt>:<challenge>".
   */
  passkeyRegSave(
    registrationsKey: Key,
    sessionId: string,
    held: string,
    now: number,
    ttlMs: number,
  ): Promise<number>;
  /** The session's live registration challenge, used up; null when none (passkey_reg_take.lua). */
  passkeyRegTake(registrationsKey: Key, sessionId: string, now: number): Promise<string | null>;
  /** Renews WebSocket leases: the members given that are no longer counted. */
  wsRenew(
    orderKey: Key,
    leasesKey: Key,
    now: number,
    leaseMs: number,
    ...members: string[]
  ): Promise<string[]>;
}

/** The ioredis client of Tessera: a standalone/Sentinel client or a Cluster, with our scripts. */
export type RedisClient = (Redis | Cluster) & ScriptCommands;

const SCRIPTS: Record<keyof ScriptCommands, { file: string; keys?: number }> = {
  userCreate: { file: 'user_create.lua', keys: 5 },
  userDelete: { file: 'user_delete.lua', keys: 5 },
  userReplace: { file: 'user_replace.lua', keys: 2 },
  sessionCreate: { file: 'session_create.lua', keys: 1 },
  sessionList: { file: 'session_list.lua', keys: 1 },
  sessionEndAll: { file: 'session_end_all.lua', keys: 1 },
  rotate: { file: 'rotate.lua', keys: 1 },
  checkAccess: { file: 'check_access.lua', keys: 1 },
  checkAccessDpop: { file: 'check_access_dpop.lua', keys: 1 },
  checkAccessAccount: { file: 'check_access_account.lua', keys: 2 },
  revoke: { file: 'revoke.lua', keys: 1 },
  deviceRemember: { file: 'device_remember.lua', keys: 1 },
  // Variable key count (keys: undefined): the caller passes numKeys first.
  loginReserve: { file: 'login_reserve.lua' },
  loginRefund: { file: 'login_refund.lua' },
  loginRead: { file: 'login_read.lua', keys: 1 },
  throttle: { file: 'throttle.lua', keys: 2 },
  auditAppend: { file: 'audit_append.lua', keys: 1 },
  auditList: { file: 'audit_list.lua', keys: 1 },
  wsAdmit: { file: 'ws_admit.lua', keys: 2 },
  wsRenew: { file: 'ws_renew.lua', keys: 2 },
  mfaEnable: { file: 'mfa_enable.lua', keys: 3 },
  mfaAcceptStep: { file: 'mfa_accept_step.lua' },
  mfaUseRecoveryCode: { file: 'mfa_use_recovery_code.lua' },
  mfaDisable: { file: 'mfa_disable.lua', keys: 3 },
  mfaReplaceCodes: { file: 'mfa_replace_codes.lua', keys: 2 },
  passkeyAdd: { file: 'passkey_add.lua', keys: 2 },
  passkeyUse: { file: 'passkey_use.lua', keys: 2 },
  passkeyRemove: { file: 'passkey_remove.lua', keys: 2 },
  passkeyRemoveAll: { file: 'passkey_remove_all.lua', keys: 3 },
  passkeyClaim: { file: 'passkey_claim.lua', keys: 1 },
  passkeyRelease: { file: 'passkey_release.lua', keys: 1 },
  passkeyRegSave: { file: 'passkey_reg_save.lua', keys: 1 },
  passkeyRegTake: { file: 'passkey_reg_take.lua', keys: 1 },
};

/** The scripts, read once: their source, its SHA-1 (what EVALSHA names), and their key count. */
const LOADED = Object.entries(SCRIPTS).map(([name, script]) => {
  const lua = readFileSync(join(__dirname, 'scripts', script.file), 'utf8');
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex'), ...script };
});

const BY_NAME = new Map(LOADED.map((script) => [script.name, script]));

type Invoke = (...args: (string | number)[]) => Promise<unknown>;

/** What EVALSHA (and, on NOSCRIPT, EVAL) takes for script `name`: the key count, keys, args. */
export interface ScriptCall {
  sha: string;
  lua: string;
  params: [number, ...(string | number)[]];
}

/** The EVALSHA of script `name` with `args` (keys first); undefined for a name that is no script. */
export function scriptCall(name: string, args: unknown[]): ScriptCall | undefined {
  const script = BY_NAME.get(name);
  return script && callOf(script, args);
}

function callOf(script: (typeof LOADED)[number], args: unknown[]): ScriptCall {
  // Without a fixed key count the caller passes it first, as to EVAL.
  const params = (
    script.keys === undefined ? args : [script.keys, ...args]
  ) as ScriptCall['params'];
  return { sha: script.sha, lua: script.lua, params };
}

/** Whether a script was not in the server's cache (a restarted or failed-over Redis). */
export const isNoScript = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * Adds every script to the client, once, as a method that sends EVALSHA (EVAL on NOSCRIPT: a
 * restarted or failed-over Redis needs nothing), and returns it typed with the script commands.
 *
 * Not ioredis's `defineCommand`: ioredis copies every script so defined onto each pipeline it
 * builds, and auto-pipelining built one per batch of commands: with our 34 scripts that was ~20 µs
 * and a 100-property object per batch, paid by every command of every request (bench/README.md;
 * the client no longer auto-pipelines, redis.client-factory.ts, but a pipeline still pays it).
 * A pipeline (ReplicaAcks) sends a script with `scriptCall`.
 */
export function defineScripts(client: Redis | Cluster): RedisClient {
  for (const script of LOADED) {
    const evalsha: Invoke = (...args) => {
      const call = callOf(script, args);
      return client.evalsha(call.sha, ...call.params).catch((error: unknown) => {
        if (!isNoScript(error)) throw error;
        return client.eval(call.lua, ...call.params);
      });
    };
    Object.defineProperty(client, script.name, { value: evalsha });
  }
  return client as RedisClient;
}
