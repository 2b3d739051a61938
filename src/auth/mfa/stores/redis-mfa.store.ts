import { FailClosed } from '../../../redis/fail-closed';
import { RedisClient } from '../../../redis/redis.scripts';
import { ChallengeClaim, CodesReplacement, CodeUse, MfaStore, TotpFactor } from '../mfa.store';

/*
 * Key layout (under the configured prefix), beside the user's sessions under the hash tag
 * `{u:<id>}` (src/tokens/stores/redis-session.store.ts), so every script below is atomic on a
 * Cluster too:
 *   {u:<uid>}:mfa              HASH    secret (sealed), enabledAt, step (last accepted time step),
 *                                      codes (renewals of the recovery codes; absent: 0)
 *   {u:<uid>}:mfa:pending      STRING  sealed secret of an enrolment awaiting its first code (PX)
 *   {u:<uid>}:mfa:rc           SET     SHA-256 of each unused recovery code
 *   {u:<uid>}:mfa:try:<id>     STRING  attempts at one sign-in challenge (PX)
 *   {u:<uid>}:mfa:used:<id>    STRING  a sign-in challenge claimed by its code (PX)
 */
const base = (userId: string) => `{u:${userId}}:mfa`;
const key = {
  factor: (userId: string) => base(userId),
  pending: (userId: string) => `${base(userId)}:pending`,
  codes: (userId: string) => `${base(userId)}:rc`,
  attempts: (userId: string, challengeId: string) => `${base(userId)}:try:${challengeId}`,
  claim: (userId: string, challengeId: string) => `${base(userId)}:used:${challengeId}`,
};

/** Second factors in Redis, shared by every instance; the atomic steps are Lua scripts. */
@FailClosed()
export class RedisMfaStore implements MfaStore {
  constructor(private readonly redis: RedisClient) {}

  async savePending(userId: string, sealedSecret: string, ttlMs: number): Promise<void> {
    await this.redis.set(key.pending(userId), sealedSecret, 'PX', ttlMs);
  }

  findPending(userId: string): Promise<string | null> {
    return this.redis.get(key.pending(userId));
  }

  async enable(
    userId: string,
    sealedSecret: string,
    recoveryHashes: string[],
    enabledAt: number,
    step: number,
  ): Promise<boolean> {
    const { factor, pending, codes } = keysOf(userId);
    const enabled = await this.redis.mfaEnable(
      factor,
      pending,
      codes,
      sealedSecret,
      enabledAt,
      step,
      ...recoveryHashes,
    );
    return enabled === 1;
  }

  async factor(userId: string): Promise<TotpFactor | null> {
    const [sealedSecret, enabledAt, codes] = await this.redis.hmget(
      key.factor(userId),
      'secret',
      'enabledAt',
      'codes',
    );
    if (!sealedSecret) return null;
    return { sealedSecret, enabledAt: Number(enabledAt), codesVersion: Number(codes ?? 0) };
  }

  acceptStep(
    userId: string,
    sealedSecret: string,
    step: number,
    claim?: ChallengeClaim,
  ): Promise<CodeUse> {
    const args = [sealedSecret, step];
    if (!claim) return this.redis.mfaAcceptStep(1, key.factor(userId), ...args);
    const claimKey = key.claim(userId, claim.id);
    return this.redis.mfaAcceptStep(2, key.factor(userId), claimKey, ...args, claim.ttlMs);
  }

  useRecoveryCode(
    userId: string,
    hash: string,
    claim?: ChallengeClaim,
    codesVersion?: number,
  ): Promise<CodeUse> {
    const keys = [key.codes(userId), key.factor(userId)];
    const args = [hash, claim?.ttlMs ?? 0, codesVersion ?? ''];
    if (!claim) return this.redis.mfaUseRecoveryCode(2, ...keys, ...args);
    return this.redis.mfaUseRecoveryCode(3, ...keys, key.claim(userId, claim.id), ...args);
  }

  recoveryCodesLeft(userId: string): Promise<number> {
    return this.redis.scard(key.codes(userId));
  }

  replaceRecoveryCodes(
    userId: string,
    sealedSecret: string,
    codesVersion: number,
    hashes: string[],
  ): Promise<CodesReplacement> {
    return this.redis.mfaReplaceCodes(
      key.factor(userId),
      key.codes(userId),
      sealedSecret,
      codesVersion,
      ...hashes,
    );
  }

  async disable(userId: string, sealedSecret?: string): Promise<boolean> {
    const { factor, pending, codes } = keysOf(userId);
    return (await this.redis.mfaDisable(factor, pending, codes, sealedSecret ?? '')) === 1;
  }

  async countChallengeAttempt(userId: string, challengeId: string, ttlMs: number): Promise<number> {
    const attempts = key.attempts(userId, challengeId);
    // One key, one slot: a transaction is atomic on a Cluster too. The expiry is set only by
    // the first attempt (NX), so attempts never extend a challenge's life.
    const replies = await this.redis.multi().incr(attempts).pexpire(attempts, ttlMs, 'NX').exec();
    const [error, count] = replies?.[0] ?? [new Error('transaction aborted'), null];
    if (error) throw error;
    return Number(count);
  }
}

function keysOf(userId: string) {
  return { factor: key.factor(userId), pending: key.pending(userId), codes: key.codes(userId) };
}
