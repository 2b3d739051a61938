import { Inject, Injectable } from '@nestjs/common';
import { randomToken } from '../common/crypto/ids';
import { Clock, InjectClock } from '../common/time/clock';
import { jwtConfig, JwtConfig } from '../config/configuration';
import { InjectSessionStore, SessionStore } from '../tokens/session.store';
import { JwsSigner } from '../tokens/jws-signer';
import { AuthenticatedUser } from '../tokens/token.types';
import { TypedTokens } from '../tokens/typed-token-key';

/** Ticket `typ`: never taken for an access token (at+jwt), and the other way round. */
export const WS_TICKET_TYP = 'ws-ticket+jwt';
export const WS_TICKET_TTL_SECONDS = 60;

/** What a verified ticket says. */
export interface WsTicketClaims {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
}

/**
 * WebSocket tickets: browsers cannot put an Authorization header on a WebSocket handshake, and an
 * access token in a URL would end up in proxy logs for its whole lifetime. A ticket is a separate,
 * 60-second, single-use JWS with its own `typ` and audience (`<issuer>/ws`), signed with our
 * active key, so it is worth nothing anywhere but the gateway, and only once.
 */
@Injectable()
export class WsTicketService {
  constructor(
    private readonly typed: TypedTokens,
    private readonly signer: JwsSigner,
    @Inject(jwtConfig.KEY) private readonly jwt: JwtConfig,
    @InjectClock() private readonly clock: Clock,
    @InjectSessionStore() private readonly sessions: SessionStore,
  ) {}

  /** The audience of tickets: distinct from the API audience of access tokens. */
  get audience(): string {
    return this.typed.audience('ws');
  }

  async issue(caller: AuthenticatedUser): Promise<{ ticket: string; expires_in: number }> {
    const iat = Math.floor(this.clock.now() / 1000);
    const claims = {
      iss: this.jwt.issuer,
      aud: this.audience,
      sub: caller.userId,
      sid: caller.sessionId,
      jti: randomToken(16),
      iat,
      exp: iat + WS_TICKET_TTL_SECONDS,
    };
    const ticket = await this.signer.sign(claims, WS_TICKET_TYP);
    return { ticket, expires_in: WS_TICKET_TTL_SECONDS };
  }

  /** The claims of a valid ticket of ours (signature, header, iss, aud, exp), else null. */
  verify(ticket: string): WsTicketClaims | null {
    return ticketClaimsOf(this.typed.verify(ticket, WS_TICKET_TYP, this.audience));
  }

  /**
   * Marks the ticket used; true only the first time. The mark lasts as long as the ticket could
   * still verify (exp plus the allowed skew), so it can never be replayed after the mark lapses.
   */
  consume(claims: WsTicketClaims): Promise<boolean> {
    const until = (claims.exp + this.jwt.clockSkew) * 1000;
    return this.sessions.consumeOnce(`ws-ticket:${claims.jti}`, until);
  }
}

function ticketClaimsOf(payload: unknown): WsTicketClaims | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { sub, sid, jti, exp } = payload as Record<string, unknown>;
  const strings = [sub, sid, jti].every((v) => typeof v === 'string' && v.length > 0);
  if (!strings || typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  return { sub, sid, jti, exp } as WsTicketClaims;
}
