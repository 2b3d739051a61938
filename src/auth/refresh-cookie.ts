import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../common/errors/app-error';
import { appConfig, AppConfig } from '../config/configuration';

/**
 * The httpOnly refresh cookie. `__Secure-` prefixed, Secure, SameSite=Strict, Path=/auth; only
 * with COOKIE_SECURE=false (plain-http development) is it `refresh_token` without Secure.
 */
@Injectable()
export class RefreshCookie {
  readonly name: string;

  constructor(@Inject(appConfig.KEY) private readonly app: AppConfig) {
    this.name = app.cookieSecure ? '__Secure-refresh_token' : 'refresh_token';
  }

  set(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
    void reply.setCookie(this.name, token, { ...this.options(), maxAge: maxAgeSeconds });
  }

  clear(reply: FastifyReply): void {
    void reply.clearCookie(this.name, this.options());
  }

  /**
   * The cookie's token, honoured only on a non-simple request (a JSON body or X-Requested-With):
   * a cross-site HTML form cannot produce one, so it cannot ride on the cookie (CSRF). When
   * CORS_ORIGINS is set, a present Origin must be one of them.
   */
  read(request: FastifyRequest): string | undefined {
    const token = request.cookies?.[this.name];
    if (!token) return undefined;
    const json = (request.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/json');
    if (!json && request.headers['x-requested-with'] === undefined) {
      throw new AppError(
        AppErrorCode.CrossSiteRequest,
        'The refresh cookie needs a JSON body or an X-Requested-With header.',
      );
    }
    const origin = request.headers.origin;
    if (origin && this.app.corsOrigins.length > 0 && !this.app.corsOrigins.includes(origin)) {
      throw new AppError(AppErrorCode.CrossSiteRequest, 'Origin not allowed.');
    }
    return token;
  }

  private options() {
    return {
      httpOnly: true,
      secure: this.app.cookieSecure,
      sameSite: 'strict' as const,
      path: '/auth',
    };
  }
}
