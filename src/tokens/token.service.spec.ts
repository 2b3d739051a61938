import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AuditService } from '../audit/audit.service';
import { AppErrorCode } from '../common/errors/app-error';
import { uuidv7 } from '../common/crypto/ids';
import { ManualClock } from '../common/time/manual-clock';
import { JwtConfig, SecurityConfig } from '../config/configuration';
import { JwsSigner } from './jws-signer';
import { RefreshGraceSeal } from './refresh-grace';
import { MemorySessionStore } from './stores/memory-session.store';
import { TokenService } from './token.service';
import { AccessClaims, TokenSubject } from './token.types';

/** Signs by writing the claims out, so a test can read what a token would carry. */
const signer = { sign: (claims: object) => JSON.stringify(claims) } as unknown as JwsSigner;
const claimsOf = (token: string) => JSON.parse(token) as AccessClaims;
const seal = new RefreshGraceSeal(randomBytes(32));

describe('TokenService', () => {
  const clock = new ManualClock();
  const jwt = { issuer: 'http://t', audience: 'a', accessTtl: 900, refreshTtl: 3600 } as JwtConfig;
  const security = { maxSessionsPerUser: 2 } as SecurityConfig;
  let sessions: MemorySessionStore;
  let audit: { record: jest.Mock };
  let service: TokenService;
  const client = { ip: '203.0.113.1', userAgent: null };

  beforeEach(() => {
    sessions = new MemorySessionStore(clock);
    audit = { record: jest.fn() };
    service = new TokenService(
      signer,
      jwt,
      security,
      sessions,
      clock,
      audit as unknown as AuditService,
      seal,
    );
  });

  const admin = (): TokenSubject => ({
    id: uuidv7(),
    roles: ['user', 'admin'],
    scopes: ['profile', 'users:read', 'users:write'],
    emailVerified: false,
  });

  it('issues on refresh only what was granted at login and is still allowed now', async () => {
    const subject = admin();
    const first = await service.startSession(subject, 'profile users:read', client, 0);
    if (!first) throw new Error('no session');
    const demoted: TokenSubject = { ...subject, roles: ['user'], scopes: ['profile'] };
    const { response } = await service.refresh(first.refresh_token, () => Promise.resolve(demoted));
    expect(response.scope).toBe('profile');
    expect(claimsOf(response.access_token)).toMatchObject({ scope: 'profile', roles: ['user'] });
    // Rights that come back do not widen a session beyond its login grant either.
    const { response: again } = await service.refresh(response.refresh_token, () =>
      Promise.resolve({ ...subject, scopes: [...subject.scopes, 'tokens:introspect'] }),
    );
    expect(again.scope).toBe('profile users:read');
  });

  it('carries email_verified as the user has it now, also from a refresh', async () => {
    const subject = admin();
    const first = await service.startSession(subject, 'profile', client, 0);
    if (!first) throw new Error('no session');
    expect(claimsOf(first.access_token)).toMatchObject({ email_verified: false });
    const verified = { ...subject, emailVerified: true };
    const { response } = await service.refresh(first.refresh_token, () =>
      Promise.resolve(verified),
    );
    expect(claimsOf(response.access_token)).toMatchObject({ email_verified: true });
  });

  it('starts no session under a stale credential generation', async () => {
    const subject = admin();
    await sessions.revokeAllForUser(subject.id);
    await expect(service.startSession(subject, 'profile', client, 0)).resolves.toBeNull();
    await expect(sessions.listForUser(subject.id)).resolves.toEqual([]);
  });

  it('audits the sessions the per-user cap ends', async () => {
    const subject = admin();
    const started = [];
    for (let i = 0; i < 3; i++) {
      started.push(await service.startSession(subject, 'profile', client, 0));
      clock.advance(1000);
    }
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        event: 'SESSION_REVOKED',
        userId: subject.id,
        details: expect.objectContaining({
          reason: 'session limit',
          sessionIds: [started[0]?.session_id],
        }),
      }),
    );
  });

  describe('with a refresh grace window (REFRESH_REUSE_GRACE_SECONDS=10)', () => {
    let graceful: TokenService;
    beforeEach(() => {
      const withGrace = { ...security, refreshReuseGraceSeconds: 10 };
      const auditor = audit as unknown as AuditService;
      graceful = new TokenService(signer, jwt, withGrace, sessions, clock, auditor, seal);
    });

    async function signedIn() {
      const subject = admin();
      const first = await graceful.startSession(subject, 'profile', client, 0);
      if (!first) throw new Error('no session');
      return { subject, first, load: () => Promise.resolve(subject) };
    }

    it('gives the same client the same pair again, its lifetimes counted down', async () => {
      const { first, load } = await signedIn();
      const used = await graceful.refresh(first.refresh_token, load, null, 'device:a');
      clock.advance(3000);
      const again = await graceful.refresh(first.refresh_token, load, null, 'device:a');
      expect(again.repeated).toBe(true);
      expect(again.response).toEqual({
        ...used.response,
        expires_in: used.response.expires_in - 3,
        refresh_expires_in: used.response.refresh_expires_in - 3,
      });
      const onwards = await graceful.refresh(used.response.refresh_token, load, null, 'device:a');
      expect(onwards.repeated).toBeUndefined();
    });

    it.each([
      ['another client', 'device:b'],
      ['a client without an identity', undefined],
    ])('ends the session when %s presents the used token', async (_, other) => {
      const { first, load } = await signedIn();
      const used = await graceful.refresh(first.refresh_token, load, null, 'device:a');
      await expect(graceful.refresh(first.refresh_token, load, null, other)).rejects.toMatchObject({
        code: AppErrorCode.RefreshReused,
      });
      await expect(
        graceful.refresh(used.response.refresh_token, load, null, 'device:a'),
      ).rejects.toThrow();
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'REFRESH_REUSE_DETECTED' }),
      );
    });

    it('ends the session when the used token comes back after the window', async () => {
      const { first, load } = await signedIn();
      await graceful.refresh(first.refresh_token, load, null, 'device:a');
      clock.advance(10_000);
      await expect(
        graceful.refresh(first.refresh_token, load, null, 'device:a'),
      ).rejects.toMatchObject({
        code: AppErrorCode.RefreshReused,
      });
    });

    it('keeps no usable token in the store: only an answer sealed by the used token', async () => {
      const { first, load } = await signedIn();
      const { response } = await graceful.refresh(first.refresh_token, load, null, 'device:a');
      const kept = inspect(sessions, { depth: 10, maxStringLength: null });
      const parts = [response.refresh_token, response.access_token, first.refresh_token];
      for (const part of parts.flatMap((t) => t.split('.'))) expect(kept).not.toContain(part);
      expect(kept).toMatch(/sealed: 'v2\./);
    });

    it("ends a deactivated user's session, as without a window", async () => {
      const { first } = await signedIn();
      const gone = () => Promise.resolve(null);
      await expect(
        graceful.refresh(first.refresh_token, gone, null, 'device:a'),
      ).rejects.toMatchObject({
        code: AppErrorCode.InvalidRefreshToken,
      });
      await expect(sessions.listForUser(claimsOf(first.access_token).sub)).resolves.toEqual([]);
    });
  });
});
