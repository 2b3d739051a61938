import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemType } from '../errors/error-status';
import { Problem } from '../errors/problem';
import { API_SECURITY_HEADERS, HSTS_VALUE } from './security-headers';

const PROBLEMS: Record<string, Omit<Problem, 'type'>> = {
  FST_ERR_BAD_URL: {
    title: 'Bad request',
    status: 400,
    detail: 'The URL is not validly percent-encoded.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    title: 'URI too long',
    status: 414,
    detail: 'A path parameter is longer than any valid value.',
  },
};

const FALLBACK: Omit<Problem, 'type'> = {
  title: 'Bad request',
  status: 400,
  detail: 'The request could not be routed.',
};

/**
 * Fastify's `frameworkErrors`: errors its router raises before any hook, route or Nest filter
 * runs (a broken percent-encoding, an over-long path parameter). Without this handler they are
 * plain JSON that echoes the raw path back; here they are problem+json like every other error,
 * with a fixed detail that repeats nothing from the request, and the security headers every
 * answer carries (the hook that adds them has not run yet).
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = PROBLEMS[error.code] ?? FALLBACK;
  const problem: Problem = {
    type: problemType(known.title.toLowerCase().replace(/ /g, '_')),
    ...known,
  };
  // HSTS on a TLS socket only: Fastify builds this early request without its trust-proxy
  // view, so X-Forwarded-Proto is not read here (every other answer over https carries it).
  const hsts = request.protocol === 'https' ? { 'strict-transport-security': HSTS_VALUE } : {};
  void reply
    .status(problem.status)
    .headers({ ...API_SECURITY_HEADERS, ...hsts, 'cache-control': 'no-store' })
    .type('application/problem+json')
    .send(problem);
}
