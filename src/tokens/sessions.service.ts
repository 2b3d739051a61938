import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event';
import { AuditService } from '../audit/audit.service';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { Session } from './session';
import { InjectSessionStore, SessionStore } from './session.store';

/** A session as its owner sees it. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/** Lists and ends sessions: logout, logout-all, and ending one from the session list. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectSessionStore() private readonly sessions: SessionStore,
    private readonly audit: AuditService,
  ) {}

  async list(userId: string, currentSessionId: string): Promise<SessionView[]> {
    const sessions = await this.sessions.listForUser(userId);
    return sessions.map((s) => toView(s, currentSessionId));
  }

  /**
   * The user's credential generation: read it before the user's credentials and rights that a
   * new session will be based on (see SessionStore.generation).
   */
  generation(userId: string): Promise<number> {
    return this.sessions.generation(userId);
  }

  /** Ends one session. Ending a session that is already gone is not an error (logout twice). */
  async end(userId: string, sessionId: string, reason = 'logout'): Promise<void> {
    if (await this.sessions.revoke({ userId, sessionId }))
      this.revoked(userId, [sessionId], reason);
  }

  /** Ends a session of `userId`'s; 404 when it is not one of theirs (never reveals others'). */
  async endOwned(userId: string, sessionId: string): Promise<void> {
    // Sessions are looked up under the caller's own user: another user's id finds nothing.
    const session = await this.sessions.get({ userId, sessionId });
    if (!session || session.userId !== userId) {
      throw new AppError(AppErrorCode.NotFound, 'No such session.');
    }
    await this.end(userId, sessionId, 'ended by owner');
  }

  /**
   * Ends every session of the user, except `exceptSessionId`, and every session a login in flight
   * would still create (the user's generation moves on); returns the ended ids.
   */
  async endAll(userId: string, reason: string, exceptSessionId?: string): Promise<string[]> {
    const ended = await this.sessions.revokeAllForUser(userId, exceptSessionId);
    if (ended.length > 0) this.revoked(userId, ended, reason);
    return ended;
  }

  private revoked(userId: string, sessionIds: string[], reason: string): void {
    this.audit.record({
      event: AuditEventType.SessionRevoked,
      userId,
      details: { sessionIds, reason },
    });
  }
}

function toView(session: Session, currentSessionId: string): SessionView {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}
