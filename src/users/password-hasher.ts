import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { Gate } from '../common/concurrency/gate';

/**
 * argon2id at OWASP's floor (m=19456 KiB, t=2, p=1). Raising these later is safe: `needsRehash`
 * tells login to re-hash a password stored with older parameters.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * argon2 runs on libuv's thread pool (4 threads by default) and is pure CPU and memory: one run
 * takes ~22 ms of a core and 19 MiB. Running more at once than there are cores makes no login
 * faster, but takes every pool thread (file and DNS work waits behind them), competes with the
 * event loop for the cores, and holds 19 MiB per run. So runs beyond the core count queue here.
 */
const argon2Runs = new Gate(availableParallelism());

@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2Runs.run(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2Runs.run(() => argon2.verify(hash, password));
    } catch {
      return false; // a corrupt hash must never let anyone in, nor crash the request
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  }

  /**
   * Burns one argon2 verification for a login whose user does not exist or is inactive, so that
   * every failed login costs the same time and the response time does not reveal which accounts
   * exist (no user enumeration by timing).
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('tessera-dummy-password-never-matches');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
