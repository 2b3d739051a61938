import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, AppErrorCode } from '../errors/app-error';
import { ERROR_SPECS, problemType } from '../errors/error-status';
import { Problem } from '../errors/problem';
import { StoreUnavailableError } from '../errors/store-unavailable.error';
import { replyCommitted } from '../http/coalesced-writes';
import { OAUTH_ENDPOINTS } from '../http/oauth-endpoints';
import { oauthProblem } from './oauth-error';

export interface Rendered {
  problem: Problem;
  headers: Record<string, string>;
}

const GENERIC_TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
};

/**
 * Renders every error as application/problem+json. Domain errors map through ERROR_SPECS; HTTP and
 * Fastify errors (bad JSON, body too large) keep their 4xx status; anything else is logged with the
 * request id and answered with a 500 that says nothing about internals. The OAuth RFC endpoints
 * answer the same problem as an RFC 6749 §5.2 error response (oauth-error.ts).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = this.render(error, request);
    if (replyCommitted(reply)) return;
    const oauth = OAUTH_ENDPOINTS.has(request.routeOptions.url ?? '');
    void reply
      .status(problem.status)
      .headers({ ...headers, 'cache-control': 'no-store' })
      .type(oauth ? 'application/json' : 'application/problem+json')
      .send(oauth ? oauthProblem(problem, headers['www-authenticate']) : problem);
  }

  private render(error: unknown, request: FastifyRequest): Rendered {
    if (error instanceof StoreUnavailableError)
      return this.fromApp(
        new AppError(
          AppErrorCode.StoreUnavailable,
          'The session store is unavailable; try again shortly.',
        ),
      );
    if (error instanceof AppError) return this.fromApp(error);
    const status = httpStatusOf(error);
    // A deliberate 503 (the readiness check when Redis is down) is an outage, not a defect: keep
    // the status and say when to retry, instead of logging it as a 500.
    if (status === 503 && error instanceof HttpException)
      return this.fromApp(
        new AppError(AppErrorCode.StoreUnavailable, 'Not ready: the store is unavailable.'),
      );
    if (status !== undefined && status >= 400 && status < 500) return clientProblem(status, error);
    this.logger.error({ err: error, requestId: request.id }, 'Unhandled error');
    return {
      problem: {
        type: problemType('internal_error'),
        title: 'Internal server error',
        status: 500,
        detail: `The request failed; quote request id ${request.id} when reporting it.`,
      },
      headers: {},
    };
  }

  private fromApp(error: AppError): Rendered {
    return renderAppError(error);
  }
}

/**
 * A domain error as it leaves the service: its problem and the headers that go with it (the
 * OpenAPI document renders its examples with this too, so it shows what is really sent).
 */
export function renderAppError(error: AppError): Rendered {
  const spec = ERROR_SPECS[error.code];
  const problem: Problem = {
    type: problemType(error.code),
    title: spec.title,
    status: spec.status,
    detail: error.detail ?? spec.title,
  };
  if (error.extra.errors) problem.errors = error.extra.errors;
  // After the standard members: an extension never overrides type, title, status or detail.
  for (const [name, value] of Object.entries(error.extra.members ?? {})) {
    if (!(name in problem)) (problem as unknown as Record<string, unknown>)[name] = value;
  }
  return { problem, headers: headersFor(error) };
}

function headersFor(error: AppError): Record<string, string> {
  const headers: Record<string, string> = {};
  // The contract: every 401 names the scheme (RFC 6750 §3); invalid_token adds the error below.
  if (ERROR_SPECS[error.code].status === HttpStatus.UNAUTHORIZED)
    headers['www-authenticate'] = 'Bearer';
  if (error.code === AppErrorCode.InvalidToken) {
    headers['www-authenticate'] =
      `Bearer error="invalid_token", error_description="${quotable(error.detail ?? 'invalid token')}"`;
  }
  // RFC 6750 §3.1: a token without a scope the route needs names the scopes it needs.
  if (error.extra.requiredScopes) {
    headers['www-authenticate'] =
      `Bearer error="insufficient_scope", scope="${quotable(error.extra.requiredScopes.join(' '))}"`;
  }
  // RFC 9449 §7.1: a DPoP refusal at a resource names the DPoP scheme, its error and the
  // algorithms proofs may use; any DPoP refusal may carry the nonce to retry with (§8, §9).
  const dpop = error.extra.dpop;
  if (dpop) {
    if (ERROR_SPECS[error.code].status === HttpStatus.UNAUTHORIZED) {
      headers['www-authenticate'] =
        `DPoP error="${dpop.error}", error_description="${quotable(error.detail ?? dpop.error)}", algs="${dpop.algs.join(' ')}"`;
    }
    if (dpop.nonce) headers['dpop-nonce'] = dpop.nonce;
  }
  if (error.code === AppErrorCode.StoreUnavailable) headers['retry-after'] = '5';
  // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to.
  if (error.code === AppErrorCode.UpgradeRequired) headers.upgrade = 'websocket';
  if (error.extra.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.extra.retryAfterSeconds)));
  }
  return headers;
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = error.statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** A 4xx raised below our code (routing, Fastify's body parser): keep the status, say little. */
function clientProblem(status: number, error: unknown): Rendered {
  const title = GENERIC_TITLES[status] ?? 'Bad request';
  // Fastify's messages ("Body is not valid JSON but content-type is set to 'application/json'")
  // are safe and helpful; Nest's are too. Neither carries input back verbatim beyond a few chars.
  const message = error instanceof Error ? error.message.slice(0, 200) : title;
  return {
    problem: {
      type: problemType(title.toLowerCase().replace(/ /g, '_')),
      title,
      status,
      detail: message,
    },
    headers: {},
  };
}

/** RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no quote or backslash). */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '').slice(0, 200);
}
