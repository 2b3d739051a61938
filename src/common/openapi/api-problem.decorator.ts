import { ApiResponse, DECORATORS } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger';
import { AppError, AppErrorCode, FieldError } from '../errors/app-error';
import { Problem } from '../errors/problem';
import { renderAppError } from '../filters/problem-details.filter';
import { ProblemResponse } from './problem.schema';
import { ProblemCode, problemTypeInfo } from './problem-types';
import { problemHeader } from './response-headers';

/** One way a route fails, as an example of its error response. */
export interface ProblemCase {
  code: ProblemCode;
  /** This occurrence's `detail`; the type's usual one by default. */
  detail?: string;
  retryAfterSeconds?: number;
  /** `validation-failed`: the field errors; by default one per `; `-separated part of detail. */
  errors?: FieldError[];
  /** A 403 for a missing scope: adds RFC 6750's insufficient_scope challenge. */
  requiredScopes?: readonly string[];
  /** The example's key, when a response shows two cases of one type. */
  name?: string;
  /** RFC 9457 extension members of this type (e.g. `mfa_token`). */
  members?: Record<string, string | number | readonly string[]>;
}

const APP_CODES = new Set<string>(Object.values(AppErrorCode));
/** Every error leaves with this (problem-details.filter.ts). */
const ERROR_HEADERS = { 'cache-control': 'no-store' };
const HEADER_NAMES: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'retry-after': 'Retry-After',
  'www-authenticate': 'WWW-Authenticate',
  upgrade: 'Upgrade',
  'dpop-nonce': 'DPoP-Nonce',
};

/** A server nonce as DpopService makes them: `<kid>.<issued, base 36>.<mac>`. */
const EXAMPLE_DPOP_NONCE =
  'Jj_kn3Kd4yosiLuYAUZTle84GTQ7k3guK2BFHLt_hfI.tjpw8o.Xv4mT0aQe3Lr9nBs2Kp7Wc';

/** A validation detail ("a must …; b must …") as the `errors` the pipe lists with it. */
function fieldErrorsOf(detail: string): FieldError[] {
  return detail.split('; ').map((message) => ({ field: message.split(' ')[0], message }));
}

/** The problem and headers the service sends for a case: rendered by the filter's own code. */
function render(c: ProblemCase): { problem: Problem; headers: Record<string, string> } {
  const info = problemTypeInfo(c.code);
  const detail = c.detail ?? info.detail;
  if (!APP_CODES.has(c.code))
    return {
      problem: { type: info.type, title: info.title, status: info.status, detail },
      headers: {},
    };
  const code = c.code as AppErrorCode;
  const retryAfterSeconds =
    c.retryAfterSeconds ?? (code === AppErrorCode.TooManyRequests ? 60 : undefined);
  const errors =
    code === AppErrorCode.ValidationFailed ? (c.errors ?? fieldErrorsOf(detail)) : undefined;
  return renderAppError(
    new AppError(code, detail, {
      errors,
      retryAfterSeconds,
      requiredScopes: c.requiredScopes,
      members: c.members,
      // The answer that asks for a DPoP nonce carries one (DpopService.nonceNeeded).
      ...(code === AppErrorCode.UseDpopNonce
        ? { dpop: { error: 'use_dpop_nonce' as const, algs: ['ES256'], nonce: EXAMPLE_DPOP_NONCE } }
        : {}),
    }),
  );
}

/**
 * Documents an error response of a route: `description`, one problem+json example per case
 * (each with the `type` the route really sends) and the headers that come with them. All cases
 * share one status. Responses of one status from several decorators merge: descriptions join,
 * examples and headers add up, whatever the decorators' order.
 */
/**
 * One error response of the document: its status, one example per case (rendered as the service
 * renders it) and the headers those answers carry. ApiProblem puts it on a route; a path written
 * by hand (ws.openapi.ts) uses it directly.
 */
export function problemResponse(
  description: string,
  cases: readonly (ProblemCase | ProblemCode)[],
): {
  status: number;
  examples: Record<string, { summary: string; value: Problem }>;
  headers: HeadersObject;
} {
  const all = cases.map((c) => (typeof c === 'string' ? { code: c } : c));
  const status = problemTypeInfo(all[0].code).status;
  if (all.some((c) => problemTypeInfo(c.code).status !== status))
    throw new Error(`ApiProblem: the cases of "${description}" differ in status`);
  const examples: Record<string, { summary: string; value: Problem }> = {};
  const headers: HeadersObject = {};
  for (const c of all) {
    const { problem, headers: sent } = render(c);
    const slug = problem.type.split('/').pop()!;
    const summary = `${c.name ? `${slug} (${c.name})` : slug}: ${problemTypeInfo(c.code).when}`;
    examples[c.name ?? slug] = { summary, value: problem };
    for (const [name, value] of Object.entries({ ...sent, ...ERROR_HEADERS }))
      headers[HEADER_NAMES[name] ?? name] = problemHeader(HEADER_NAMES[name] ?? name, value);
  }
  return { status, examples, headers };
}

export function ApiProblem(
  description: string,
  ...cases: [ProblemCase | ProblemCode, ...(ProblemCase | ProblemCode)[]]
): MethodDecorator & ClassDecorator {
  const { status, examples, headers } = problemResponse(description, cases);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = (descriptor?.value as object | undefined) ?? target;
    const responses = Reflect.getMetadata(DECORATORS.API_RESPONSE, holder) as
      Record<string, { description?: string; headers?: HeadersObject }> | undefined;
    const existing = responses?.[status];
    // The same response twice (a route both throttled and authenticated may say the store is
    // down twice): once is enough.
    if (existing?.description?.split('\n\n').includes(description)) return descriptor;
    return ApiResponse({
      status,
      description,
      type: ProblemResponse,
      examples,
      headers: { ...existing?.headers, ...headers },
    })(target, key as string | symbol, descriptor as PropertyDescriptor);
  }) as MethodDecorator & ClassDecorator;
}

/** The store (Redis) cannot answer: every route that needs it says so. */
export const ApiStoreUnavailable = (): MethodDecorator & ClassDecorator =>
  ApiProblem(
    'The store (Redis) cannot answer; Tessera fails closed. Retry after `Retry-After` seconds.',
    AppErrorCode.StoreUnavailable,
  );
