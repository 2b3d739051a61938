import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { appConfig, AppConfig } from '../../config/configuration';
import { DEVICE_TTL_SECONDS } from './device-token';

/**
 * The device cookie: HttpOnly (scripts never see it), SameSite=Strict, sent only to
 * /auth/login. `__Secure-device` with Secure; `device` only with COOKIE_SECURE=false.
 */
@Injectable()
export class DeviceCookie {
  readonly name: string;

  constructor(@Inject(appConfig.KEY) private readonly app: AppConfig) {
    this.name = app.cookieSecure ? '__Secure-device' : 'device';
  }

  read(request: FastifyRequest): string | undefined {
    return request.cookies?.[this.name] || undefined;
  }

  set(reply: FastifyReply, token: string): void {
    void reply.setCookie(this.name, token, {
      httpOnly: true,
      secure: this.app.cookieSecure,
      sameSite: 'strict',
      path: '/auth/login',
      maxAge: DEVICE_TTL_SECONDS,
    });
  }
}
