import { INestApplication } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger';
import { LIVENESS_PATH, livenessPath } from '../../health/liveness.route';
import { wsConfig, WsConfig } from '../../config/configuration';
import { websocketPath } from '../../ws/ws.openapi';
import { OAUTH_ENDPOINTS } from '../http/oauth-endpoints';
import { Problem } from '../errors/problem';
import { oauthProblem } from '../filters/oauth-error';
import { OAuthProblemResponse, ProblemResponse } from './problem.schema';
import { PRIVATE_ANSWER } from './response-headers';

/** The tags in the order a newcomer needs them; Swagger UI shows them in this order. */
export const OPENAPI_TAGS: readonly { name: string; description: string }[] = [
  {
    name: 'auth',
    description:
      'Start here: register, sign in (`login`) for an access token and a refresh token, call ' +
      'the API with `Authorization: Bearer <access_token>`, refresh before it expires, sign out.',
  },
  {
    name: 'sessions',
    description:
      'A session is one sign-in (one device): list yours and end any of them. Ending a session ' +
      'stops its tokens and closes its WebSockets at once, on every instance.',
  },
  {
    name: 'websocket',
    description:
      'A live channel that closes within a second of its session ending: get a single-use ' +
      'ticket with your access token, then open `GET /ws?ticket=…`.',
  },
  {
    name: 'users',
    description:
      'User administration: needs scope `users:read` or `users:write` (role `admin` to give ' +
      'roles or touch admins). Any change of rights ends the user’s sessions.',
  },
  {
    name: 'oauth',
    description:
      'For resource servers and OAuth clients: the JWKS that verifies our access tokens, ' +
      'RFC 8414 metadata, RFC 7009 revocation and RFC 7662 introspection. Their errors are ' +
      'RFC 6749 error responses (`application/json` with `error`) that are also problems.',
  },
  {
    name: 'audit',
    description:
      'The audit trail (scope `audit:read`): sign-ins, refreshes, reuse detections, lockouts, ' +
      'admin changes; never a password or a token.',
  },
  {
    name: 'health',
    description: 'Liveness and readiness probes and Prometheus metrics, for operators.',
  },
];

const DESCRIPTION = [
  'JWT authentication and authorization.',
  '',
  '1. `POST /auth/register` an account (or use the bootstrap admin).',
  '2. `POST /auth/login`: copy `access_token`, click **Authorize** and paste it.',
  '3. Call `GET /auth/me`. When the access token expires (401 `invalid-token`), exchange the ' +
    '`refresh_token` once at `POST /auth/refresh`.',
  '',
  'Errors are RFC 9457 problem details (`application/problem+json`); branch on `type`. Each ' +
    'operation lists the types it answers; the `ProblemResponse` schema lists every type with ' +
    'its status. A 429 and a 503 say when to retry in `Retry-After`; a 401 carries ' +
    '`WWW-Authenticate`. Operation ids are the method names of a generated client.',
].join('\n');

/** OpenAPI 3 at /docs-json and Swagger UI at /docs, with "Authorize" taking a bearer token. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Tessera')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const tag of OPENAPI_TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ProblemResponse, OAuthProblemResponse],
    // An explicit @ApiOperation({ operationId }) names each route; a route without one gets its
    // method's name, not "Controller_method", so generated clients read well either way.
    operationIdFactory: (_controller: string, method: string) => method,
  });
  // The WebSocket gateway is not a Fastify route, so Swagger cannot find it by itself.
  const ws = app.get<WsConfig>(wsConfig.KEY);
  document.paths['/ws'] = websocketPath({
    perSession: ws.maxSocketsPerSession,
    perUser: ws.maxSocketsPerUser,
  });
  // Liveness is a plain Fastify route (liveness.route.ts): in its place, before readiness.
  document.paths = withPathBefore(document.paths, LIVENESS_PATH, livenessPath(), '/health/ready');
  const finished = inTagOrder(privateAnswers(problemMediaTypes(document)));
  SwaggerModule.setup('docs', app, finished, {
    // The document is served below, not by SwaggerModule: it serialises it again for every
    // request (and a YAML copy at /docs-yaml), so a few connections pipelining requests for it
    // without reading the answers held a 230 KB string per request and ran the heap out.
    raw: false,
    swaggerOptions: { persistAuthorization: true },
  });
  serveDocument(app, finished);
  return finished;
}

/** GET /docs-json: the document, serialised once; every answer sends the same bytes. */
function serveDocument(app: INestApplication, document: OpenAPIObject): void {
  const bytes = Buffer.from(JSON.stringify(document));
  app
    .getHttpAdapter()
    .get('/docs-json', (_request: unknown, reply: FastifyReply) =>
      reply.type('application/json; charset=utf-8').send(bytes),
    );
}

interface Media {
  schema?: unknown;
  examples?: Record<string, { value: Problem }>;
}
type Responses = Record<string, { content?: Record<string, Media> }>;

/**
 * Errors are served as application/problem+json; the OAuth RFC endpoints send the same problem as
 * an RFC 6749 error response in application/json (problem-details.filter.ts): say so, with
 * examples rendered by the same function that renders the answers.
 */
function problemMediaTypes(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const oauth = OAUTH_ENDPOINTS.has(path);
    for (const operation of Object.values(item) as { responses?: Responses }[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) < 400 || !json) continue;
        response.content = oauth
          ? { 'application/json': asOAuthError(json) }
          : { 'application/problem+json': json };
      }
    }
  }
  return document;
}

/**
 * Every success of a route that takes an access token is sent with `Cache-Control: no-store`
 * (JwtAuthGuard): documented here once, on each such operation, unless it names its own.
 */
function privateAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as {
      security?: unknown[];
      responses?: Record<string, { headers?: Record<string, unknown> }>;
    }[]) {
      if (!operation.security?.length) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        const named = Object.keys(response.headers ?? {}).some((h) => /^cache-control$/i.test(h));
        if (!named) response.headers = { ...PRIVATE_ANSWER, ...response.headers };
      }
    }
  }
  return document;
}

function asOAuthError(media: Media): Media {
  const examples = Object.fromEntries(
    Object.entries(media.examples ?? {}).map(([key, example]) => [
      key,
      { ...example, value: oauthProblem(example.value, challengeOf(example.value)) },
    ]),
  );
  return { schema: { $ref: getSchemaPath(OAuthProblemResponse) }, examples };
}

/** The WWW-Authenticate error a problem goes with (problem-details.filter.ts headersFor). */
function challengeOf(problem: Problem): string | undefined {
  if (problem.type.endsWith('/invalid-token')) return 'Bearer error="invalid_token"';
  if (problem.status === 403) return 'Bearer error="insufficient_scope"';
  return undefined;
}

/** `paths` with `path` added just before `before` (at the end if `before` is absent). */
function withPathBefore(
  paths: OpenAPIObject['paths'],
  path: string,
  item: PathItemObject,
  before: string,
): OpenAPIObject['paths'] {
  const entries = Object.entries(paths);
  const index = entries.findIndex(([key]) => key === before);
  entries.splice(index < 0 ? entries.length : index, 0, [path, item]);
  return Object.fromEntries(entries);
}

/** Paths in the order of their tags, so the document reads like Swagger UI shows it. */
function inTagOrder(document: OpenAPIObject): OpenAPIObject {
  const rank = (item: object) => {
    const tags = (Object.values(item)[0] as { tags?: string[] } | undefined)?.tags ?? [];
    const index = OPENAPI_TAGS.findIndex((t) => t.name === tags[0]);
    return index < 0 ? OPENAPI_TAGS.length : index;
  };
  const entries = Object.entries(document.paths);
  // A stable sort: within a tag, the order the controllers declare.
  entries.sort(([, a], [, b]) => rank(a) - rank(b));
  return { ...document, paths: Object.fromEntries(entries) };
}
