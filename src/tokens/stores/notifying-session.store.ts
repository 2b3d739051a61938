import { Logger } from '@nestjs/common';
import { SessionEvents } from '../../ws/session-events/session-events';
import { AccessCheck, NewSession, RotateResult, Session } from '../session';
import { RefreshHashState, SessionStore } from '../session.store';

/**
 * A SessionStore driver plus the "session ended" notification (WebSocket fan-out). Sessions end in
 * exactly three store calls (revoke, revokeAllForUser, and rotate when it detects reuse), whoever
 * the caller is: logout, logout-all, a password change, an admin action, a deleted session, a
 * deactivated user on refresh. Hooking here, once, means no present or future caller can end a
 * session and forget to tell the sockets, and neither driver nor Lua script needs to know.
 */
export class NotifyingSessionStore implements SessionStore {
  private readonly logger = new Logger('SessionStore');

  constructor(
    private readonly inner: SessionStore,
    private readonly events: SessionEvents,
  ) {}

  create(session: NewSession): Promise<void> {
    return this.inner.create(session);
  }

  get(sessionId: string): Promise<Session | null> {
    return this.inner.get(sessionId);
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.inner.listForUser(userId);
  }

  async rotate(id: string, presented: string, next: string, now: number): Promise<RotateResult> {
    const result = await this.inner.rotate(id, presented, next, now);
    if (result.status === 'reused') await this.ended([id]);
    return result;
  }

  refreshHashState(sessionId: string, hash: string): Promise<RefreshHashState> {
    return this.inner.refreshHashState(sessionId, hash);
  }

  async revoke(sessionId: string): Promise<boolean> {
    const live = await this.inner.revoke(sessionId);
    if (live) await this.ended([sessionId]);
    return live;
  }

  async revokeAllForUser(userId: string, exceptSessionId?: string): Promise<string[]> {
    const ended = await this.inner.revokeAllForUser(userId, exceptSessionId);
    await this.ended(ended);
    return ended;
  }

  revokeAccessToken(sessionId: string, jti: string, expiresAt: number): Promise<void> {
    return this.inner.revokeAccessToken(sessionId, jti, expiresAt);
  }

  checkAccess(sessionId: string, jti: string): Promise<AccessCheck> {
    return this.inner.checkAccess(sessionId, jti);
  }

  consumeOnce(id: string, expiresAt: number): Promise<boolean> {
    return this.inner.consumeOnce(id, expiresAt);
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
