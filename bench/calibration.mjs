// The calibration app issue 8 names: "a plain Nest-on-Fastify app with one JWT guard (RS256 with
// a KeyObject) and one Redis call per request". Nest's decorators are applied by hand (plain
// JavaScript, run as is). With TOKEN_CACHE=1 a Map of verified tokens sits in front of passport,
// as Tessera's verified-token cache does; the Redis call still runs on every request.
//
//   node bench/calibration.mjs <port> <tokenFile>     (REDIS_URL: default redis://127.0.0.1:6379)
//
// It signs one access token (1 h) into <tokenFile>, keeps one session key in Redis under its own
// prefix, and answers GET /me with { sub } for that token; SIGTERM/SIGINT delete the key and exit.
// bench/README.md ("Calibration") compares it with Tessera's GET /auth/me and the bare reference.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import 'reflect-metadata';

const require = createRequire(import.meta.url);
const { Controller, Get, Injectable, Module, Req, UseGuards } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { AuthGuard, PassportModule, PassportStrategy } = require('@nestjs/passport');
const { ExtractJwt, Strategy } = require('passport-jwt');
const { Redis } = require('ioredis');
const jwt = require('jsonwebtoken');

const [port = '3991', tokenFile = 'calibration-token'] = process.argv.slice(2);
const useCache = process.env.TOKEN_CACHE === '1';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableAutoPipelining: true,
  keyPrefix: `tessera-calibration:${randomBytes(6).toString('hex')}:`,
});
const verified = new Map();

/** passport-jwt with the public key as a KeyObject; `validate` makes the one Redis call. */
class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: publicKey,
      algorithms: ['RS256'],
      issuer: 'calibration',
      audience: 'api',
      passReqToCallback: true,
    });
  }

  async validate(request, claims) {
    if (useCache) verified.set(request.headers.authorization.slice(7), claims);
    return (await redis.exists(`session:${claims.sid}`)) === 1 ? claims : false;
  }
}
Injectable()(JwtStrategy);

/** AuthGuard('jwt'), with the cache in front when TOKEN_CACHE=1. */
class JwtGuard extends AuthGuard('jwt') {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const claims = useCache && verified.get((request.headers.authorization ?? '').slice(7));
    if (!claims || claims.exp * 1000 <= Date.now()) return super.canActivate(context);
    return redis.exists(`session:${claims.sid}`).then((found) => {
      request.user = claims;
      return found === 1;
    });
  }
}
Injectable()(JwtGuard);

class MeController {
  me(request) {
    return { sub: request.user.sub };
  }
}
const me = Object.getOwnPropertyDescriptor(MeController.prototype, 'me');
Req()(MeController.prototype, 'me', 0);
UseGuards(JwtGuard)(MeController.prototype, 'me', me);
Get('me')(MeController.prototype, 'me', me);
Controller()(MeController);

class CalibrationModule {}
Module({ imports: [PassportModule], controllers: [MeController], providers: [JwtStrategy] })(
  CalibrationModule,
);

await redis.set('session:s1', '1', 'EX', 3600);
const token = jwt.sign({ sub: 'u1', sid: 's1' }, privateKey, {
  algorithm: 'RS256',
  issuer: 'calibration',
  audience: 'api',
  expiresIn: 3600,
});
writeFileSync(tokenFile, token);
const app = await NestFactory.create(CalibrationModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(port), '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    void redis
      .del('session:s1')
      .finally(() => app.close())
      .finally(() => process.exit(0));
  });
}
