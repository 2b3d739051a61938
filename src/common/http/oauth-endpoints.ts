/**
 * The routes that implement an OAuth RFC (RFC 7009 revocation, RFC 7662 introspection), by their
 * Fastify route URL. Their RFCs decide two things elsewhere generic: they take form bodies
 * (body-rules.ts), and their errors are RFC 6749 §5.2 error responses (problem-details.filter.ts).
 */
export const OAUTH_ENDPOINTS: ReadonlySet<string> = new Set(['/auth/revoke', '/auth/introspect']);
