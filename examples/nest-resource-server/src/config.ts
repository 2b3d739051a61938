import { Inject } from '@nestjs/common';

/** What this service needs to know about Tessera, read once from the environment at start-up. */
export interface ResourceServerConfig {
  /** Tessera's JWKS: the public keys its access tokens are signed with. */
  jwksUri: string;
  /** Tessera's `JWT_ISSUER`: the only `iss` accepted. */
  issuer: string;
  /** Tessera's `JWT_AUDIENCE`: the `aud` a token must carry to be meant for this service. */
  audience: string;
  /** Tessera's `JWT_ALGORITHM`: never the algorithm a token names in its own header. */
  algorithms: string[];
  /** Leeway for `exp`/`nbf`, seconds (Tessera's `JWT_CLOCK_SKEW`). */
  clockToleranceSeconds: number;
  port: number;
  host: string;
}
export const ResourceServerConfig = Symbol('ResourceServerConfig');
export const InjectConfig = () => Inject(ResourceServerConfig);

export function readConfig(env: NodeJS.ProcessEnv = process.env): ResourceServerConfig {
  const tessera = (env.TESSERA_URL ?? 'http://localhost:3000').replace(/\/$/, '');
  return {
    jwksUri: env.TESSERA_JWKS_URI ?? `${tessera}/.well-known/jwks.json`,
    issuer: env.TESSERA_ISSUER ?? tessera,
    audience: env.TESSERA_AUDIENCE ?? 'tessera-api',
    algorithms: (env.TESSERA_ALGORITHMS ?? 'RS256').split(',').map((alg) => alg.trim()),
    clockToleranceSeconds: Number(env.TESSERA_CLOCK_SKEW ?? 30),
    port: Number(env.PORT ?? 4000),
    host: env.HOST ?? '127.0.0.1',
  };
}
