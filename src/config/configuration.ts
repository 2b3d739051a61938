import { ConfigType, registerAs } from '@nestjs/config';
import { Env } from './env.validation';
import { readEnvironment } from './environment';

/*
 * One namespace per concern, injected as `ConfigType<typeof jwtConfig>` with
 * `@Inject(jwtConfig.KEY)`. The factories here read the process environment; `configLoaders(env)`
 * binds the same namespaces to an already validated Env, which is how main.ts and the e2e tests
 * (several app instances in one process) build the app.
 */
export const appConfig = registerAs('app', (): Env['app'] => readEnvironment().app);
export const storeConfig = registerAs('store', (): Env['store'] => readEnvironment().store);
export const jwtConfig = registerAs('jwt', (): Env['jwt'] => readEnvironment().jwt);
export const securityConfig = registerAs(
  'security',
  (): Env['security'] => readEnvironment().security,
);
export const wsConfig = registerAs('ws', (): Env['ws'] => readEnvironment().ws);
export const mailConfig = registerAs('mail', (): Env['mail'] => readEnvironment().mail);
export const mfaConfig = registerAs('mfa', (): Env['mfa'] => readEnvironment().mfa);
export const passkeysConfig = registerAs(
  'passkeys',
  (): Env['passkeys'] => readEnvironment().passkeys,
);
export const dpopConfig = registerAs('dpop', (): Env['dpop'] => readEnvironment().dpop);

export type AppConfig = ConfigType<typeof appConfig>;
export type StoreConfig = ConfigType<typeof storeConfig>;
export type JwtConfig = ConfigType<typeof jwtConfig>;
export type SecurityConfig = ConfigType<typeof securityConfig>;
export type WsConfig = ConfigType<typeof wsConfig>;
export type MailConfig = ConfigType<typeof mailConfig>;
export type MfaConfig = ConfigType<typeof mfaConfig>;
export type PasskeysConfig = ConfigType<typeof passkeysConfig>;
export type DpopConfig = ConfigType<typeof dpopConfig>;

export function configLoaders(env: Env) {
  return [
    registerAs('app', () => env.app),
    registerAs('store', () => env.store),
    registerAs('jwt', () => env.jwt),
    registerAs('security', () => env.security),
    registerAs('ws', () => env.ws),
    registerAs('mail', () => env.mail),
    registerAs('mfa', () => env.mfa),
    registerAs('passkeys', () => env.passkeys),
    registerAs('dpop', () => env.dpop),
  ];
}
