import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { appConfig, AppConfig } from '../../config/configuration';
import { DEVICE_TTL_SECONDS } from './device-token';

/** Where device cookies were scoped before refresh needed them too. */
const LEGACY_PATH = '/auth/login';

/**
 * The device cookie: HttpOnly (scripts never see it), SameSite=Strict, Path=/auth: login reads it
 * (a known device is not locked out by others' failures), and refresh reads it (the same client
 * within the refresh grace window). `__Secure-device` with Secure; `device` only with
 * COOKIE_SECURE=false. It was Path=/auth/login before: a browser keeping that one would send it
 * ahead of the new one to /auth/login (longer paths first), so setting the new one clears it.
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
      path: '/auth',
      maxAge: DEVICE_TTL_SECONDS,
    });
    void reply.clearCookie(this.name, {
      httpOnly: true,
      secure: this.app.cookieSecure,
      sameSite: 'strict',
      path: LEGACY_PATH,
    });
  }
}
