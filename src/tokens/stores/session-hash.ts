import { NewSession, Session } from '../session';

/*
 * A session as a Redis hash: numbers as decimal strings, null userAgent/ip as absent fields
 * (a hash has no null). `refreshHash` is stored beside the Session fields but never read back
 * into a Session: refresh hashes do not leave the store.
 */

/** Flat field/value list for HSET. */
export function sessionToFields(session: NewSession): string[] {
  const fields: [string, string | number | null][] = [
    ['id', session.id],
    ['userId', session.userId],
    ['createdAt', session.createdAt],
    ['lastUsedAt', session.lastUsedAt],
    ['expiresAt', session.expiresAt],
    ['userAgent', session.userAgent],
    ['ip', session.ip],
    ['scope', session.scope],
    ['amr', session.amr ? session.amr.join(' ') : null],
    ['jkt', session.jkt ?? null],
    ['refreshHash', session.refreshHash],
  ];
  return fields
    .filter(([, value]) => value !== null)
    .flatMap(([name, value]) => [name, String(value)]);
}

/** The Session in an HGETALL reply; null for an empty hash (no such session). */
export function sessionFromHash(hash: Record<string, string>): Session | null {
  if (hash.id === undefined) return null;
  return {
    id: hash.id,
    userId: hash.userId,
    createdAt: Number(hash.createdAt),
    lastUsedAt: Number(hash.lastUsedAt),
    expiresAt: Number(hash.expiresAt),
    userAgent: hash.userAgent ?? null,
    ip: hash.ip ?? null,
    scope: hash.scope,
    ...(hash.amr === undefined ? {} : { amr: hash.amr.split(' ').filter(Boolean) }),
    ...(hash.jkt === undefined ? {} : { jkt: hash.jkt }),
  };
}

/** The Session in a flat [field, value, ...] list, as a Lua script returns HGETALL. */
export function sessionFromFlat(flat: string[]): Session | null {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return sessionFromHash(hash);
}

/** Oldest first; ids break ties so the order is stable. */
export function byCreation(a: Session, b: Session): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
