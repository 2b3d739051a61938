import { Env } from '../../config/env.validation';

type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

/**
 * Fastify's `trustProxy` from TRUST_PROXY. A hop count N trusts the socket peer and the N-1
 * addresses before it (proxy-addr walks X-Forwarded-For from the right), so the client is the
 * address the outermost trusted proxy appended, never the leftmost entries a client can write
 * itself. Fastify ignores a bare number on purpose (it cannot check the peer), hence the function:
 * hop counts are for a service reachable only through its proxies; otherwise list their addresses.
 */
export function trustProxyOption(setting: Env['app']['trustProxy']): TrustProxy {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}
