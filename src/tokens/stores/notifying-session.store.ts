import { Logger } from '@nestjs/common';
import { SessionEvents } from '../../ws/session-events/session-events';
import {
  AccessCheck,
  CreateSessionResult,
  NewSession,
  ProofMark,
  RefreshGrace,
  RotateResult,
  Session,
  SessionRef,
} from '../session';
import { RefreshHashState, SessionStore } from '../session.store';

/**
 * A SessionStore driver plus the "session ended" notification (WebSocket fan-out). Sessions end in
 * exactly four store calls (revoke, revokeAllForUser, rotate when it detects reuse, and create
 * when the per-user cap evicts the least recently used), whoever the caller is: logout,
 * logout-all, a password change, an admin action, a deleted session, a deactivated user on
 * refresh, one login too many. Hooking here, once, means no present or future caller can end a
 * session and forget to tell the sockets, and neither driver nor Lua script needs to know.
 */
export class NotifyingSessionStore implements SessionStore {
  private readonly logger = new Logger('SessionStore');

  constructor(
    private readonly inner: SessionStore,
    private readonly events: SessionEvents,
  ) {}

  generation(userId: string): Promise<number> {
    return this.inner.generation(userId);
  }

  async create(session: NewSession, maxSessions: number): Promise<CreateSessionResult> {
    const result = await this.inner.create(session, maxSessions);
    if (result.status === 'created') await this.ended(result.evicted);
    return result;
  }

  get(ref: SessionRef): Promise<Session | null> {
    return this.inner.get(ref);
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.inner.listForUser(userId);
  }

  async rotate(
    ref: SessionRef,
    presented: string,
    next: string,
    now: number,
    jkt: string | null = null,
    grace?: RefreshGrace,
  ): Promise<RotateResult> {
    const result = await this.inner.rotate(ref, presented, next, now, jkt, grace);
    if (result.status === 'reused') await this.ended([ref.sessionId]);
    return result;
  }

  refreshHashState(ref: SessionRef, hash: string): Promise<RefreshHashState> {
    return this.inner.refreshHashState(ref, hash);
  }

  async revoke(ref: SessionRef): Promise<boolean> {
    const live = await this.inner.revoke(ref);
    if (live) await this.ended([ref.sessionId]);
    return live;
  }

  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    const ended = await this.inner.revokeAllForUser(userId, exceptSessionId);
    await this.ended(ended);
    return ended;
  }

  revokeAccessToken(ref: SessionRef, jti: string, expiresAt: number): Promise<void> {
    return this.inner.revokeAccessToken(ref, jti, expiresAt);
  }

  checkAccess(ref: SessionRef, jti: string, proof?: ProofMark): Promise<AccessCheck> {
    return this.inner.checkAccess(ref, jti, proof);
  }

  consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    return this.inner.consumeOnce(id, expiresAt);
  }

  rememberDevice(
    userId: string,
    deviceId: string,
    generation: number,
    expiresAt: number,
    maxDevices: number,
  ): Promise<boolean> {
    return this.inner.rememberDevice(userId, deviceId, generation, expiresAt, maxDevices);
  }

  isKnownDevice(userId: string, deviceId: string): Promise<boolean> {
    return this.inner.isKnownDevice(userId, deviceId);
  }

  /**
   * The session has ended in the store, which is what counts: a failed notification must not turn
   * the caller's logout into an error. Sockets it missed are closed by the gateway's re-check.
   */
  private async ended(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    try {
      await this.events.publishEnded(sessionIds);
    } catch (error) {
      this.logger.warn(`Session-ended notification failed: ${(error as Error).message}`);
    }
  }
}
