import { join, resolve } from 'node:path';
import { OAUTH_ENDPOINTS } from '../src/common/http/oauth-endpoints';
import { parseRefreshToken } from '../src/tokens/refresh-token';
import { aUser, credentials } from './factories/user.factory';
import { HttpResponse } from './support/http';
import { readText, sectionsOf, tableRows } from './support/markdown';
import { TestApp, useTestApp } from './support/test-app';

/**
 * The OpenAPI document is what people read in Swagger UI and what client generators turn into
 * code: this suite walks all of it and holds it to that. Tags in the order a newcomer needs them,
 * operationIds that make good method names, a description and an example on every response and
 * request body, realistic values, every error as a problem with a `type` the service really
 * has, and the headers the service really sends (checked against live answers).
 */
const ROOT = resolve(__dirname, '..');
const TAGS = ['auth', 'sessions', 'websocket', 'users', 'oauth', 'audit', 'health'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** Headers whose presence a client acts on: documented exactly when sent. */
const SALIENT_HEADERS = ['set-cookie', 'cache-control', 'www-authenticate', 'retry-after'];

/** The method names a generated client gets: a reviewed list, like the access manifest. */
const OPERATION_IDS: Record<string, string> = {
  'post /auth/register': 'register',
  'post /auth/login': 'login',
  'post /auth/refresh': 'refreshToken',
  'post /auth/logout': 'logout',
  'post /auth/logout-all': 'endAllSessions',
  'get /auth/me': 'getMe',
  'get /auth/mfa': 'getMfaStatus',
  'post /auth/mfa/totp': 'enrolTotp',
  'post /auth/mfa/totp/confirm': 'confirmTotp',
  'post /auth/mfa/totp/disable': 'disableTotp',
  'post /auth/mfa/recovery-codes': 'renewRecoveryCodes',
  'post /auth/login/mfa': 'loginWithSecondFactor',
  'post /auth/passkeys/options': 'createPasskeyRegistrationOptions',
  'post /auth/passkeys': 'registerPasskey',
  'get /auth/passkeys': 'listPasskeys',
  'delete /auth/passkeys/{id}': 'removePasskey',
  'post /auth/login/passkey/options': 'createPasskeyLoginOptions',
  'post /auth/login/passkey': 'loginWithPasskey',
  'post /auth/password': 'changePassword',
  'post /auth/password/forgot': 'forgotPassword',
  'post /auth/password/reset': 'resetPassword',
  'get /auth/sessions': 'listSessions',
  'delete /auth/sessions/{id}': 'endSession',
  'post /auth/ws-ticket': 'createWebSocketTicket',
  'get /ws': 'openWebSocket',
  'get /users': 'listUsers',
  'get /users/{id}': 'getUser',
  'post /users': 'createUser',
  'patch /users/{id}': 'updateUser',
  'delete /users/{id}': 'deleteUser',
  'get /.well-known/jwks.json': 'getJwks',
  'get /.well-known/oauth-authorization-server': 'getAuthorizationServerMetadata',
  'post /auth/revoke': 'revokeToken',
  'post /auth/introspect': 'introspectToken',
  'post /auth/email/verify': 'verifyEmail',
  'post /auth/email/verify/resend': 'resendVerificationEmail',
  'get /admin/audit': 'listAuditEvents',
  'get /health/live': 'getLiveness',
  'get /health/ready': 'getReadiness',
  'get /metrics': 'getMetrics',
};

interface Operation {
  route: string;
  path: string;
  op: any;
}

function operationsOf(doc: any): Operation[] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ route: `${m} ${path}`, path, op: item[m] })),
  );
}

/** `type` URI → status, from the summary table of docs/errors.md (the human list). */
function documentedProblemTypes(): Map<string, number> {
  const summary = sectionsOf(readText(join(ROOT, 'docs', 'errors.md'))).get('Summary') ?? '';
  const rows = tableRows(summary).filter(([first]) => /^\[`[a-z-]+`\]/.test(first));
  return new Map(
    rows.map(([first, status]) => [
      `https://tessera.dev/problems/${/`([a-z-]+)`/.exec(first)![1]}`,
      Number(status),
    ]),
  );
}

function deref(doc: any, schema: any): any {
  if (!schema?.$ref) return schema;
  return doc.components.schemas[String(schema.$ref).replace('#/components/schemas/', '')];
}

/** Where a schema leaves a value without an example (nothing for Swagger UI to show). */
function unexemplified(doc: any, raw: any, at: string, seen = new Set<any>()): string[] {
  const schema = deref(doc, raw);
  if (schema === undefined) return [`${at} (no schema)`];
  if (schema.example !== undefined || seen.has(schema)) return [];
  const inner = new Set([...seen, schema]);
  if (schema.allOf) return schema.allOf.flatMap((s: any) => unexemplified(doc, s, at, inner));
  if (schema.type === 'array') return unexemplified(doc, schema.items, `${at}[]`, inner);
  if (schema.properties)
    return Object.entries(schema.properties).flatMap(([name, s]) =>
      unexemplified(doc, s, `${at}.${name}`, inner),
    );
  return [at];
}

/** Media types of a content map that show no example, neither their own nor in the schema. */
function contentWithoutExample(doc: any, content: Record<string, any>, at: string): string[] {
  return Object.entries(content).flatMap(([type, media]) => {
    if (media.example !== undefined || Object.keys(media.examples ?? {}).length > 0) return [];
    const missing = unexemplified(doc, media.schema, '');
    return missing.length ? [`${at} ${type}: no example for ${missing.join(', ') || 'it'}`] : [];
  });
}

/** The example values of a media type: its own, or none. */
function mediaExamples(media: any): any[] {
  if (media.example !== undefined) return [media.example];
  return Object.values(media.examples ?? {}).map((e: any) => e.value);
}

interface ExampleValue {
  where: string;
  key: string;
  value: unknown;
  format?: string;
}

/** Every example value of the document, each with the property name it stands for. */
function exampleValues(doc: any): ExampleValue[] {
  const found: ExampleValue[] = [];
  const walk = (where: string, key: string, value: unknown) => {
    found.push({ where, key, value });
    if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(where, Array.isArray(value) ? key : k, v);
  };
  for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, any>))
    for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, any>)) {
      if (prop.example !== undefined) walk(`schema ${name}`, key, prop.example);
      if (prop.format)
        found.push({ where: `schema ${name}`, key, value: prop.example, format: prop.format });
    }
  for (const { route, op } of operationsOf(doc)) {
    for (const p of op.parameters ?? [])
      walk(`${route} parameter`, p.name, p.example ?? p.schema?.example);
    const contents = [
      op.requestBody?.content,
      ...Object.values(op.responses).map((r: any) => r.content),
    ];
    for (const content of contents)
      for (const [type, media] of Object.entries((content ?? {}) as Record<string, any>))
        for (const value of mediaExamples(media)) walk(`${route} ${type}`, '', value);
  }
  return found;
}

function jwtHeader(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** What is unrealistic about one example value, or null. */
function unrealistic({ key, value, format }: ExampleValue): string | null {
  if (value === undefined) return format ? `no example for a ${format}` : null;
  if (typeof value !== 'string') return null;
  if (/^string$/i.test(value)) return 'a placeholder';
  const jwt = /^[\w-]+\.[\w-]+\.[\w-]{40,}$/;
  if (key === 'access_token' && !(jwt.test(value) && jwtHeader(value).typ === 'at+jwt'))
    return 'not an access token (a JWS with typ at+jwt)';
  if (key === 'ticket' && !(jwt.test(value) && jwtHeader(value).typ === 'ws-ticket+jwt'))
    return 'not a WebSocket ticket (a JWS with typ ws-ticket+jwt)';
  if (key === 'refresh_token' && !parseRefreshToken(value)) return 'not a refresh token';
  const uuidKeys = ['id', 'userId', 'sessionId', 'session_id', 'sub', 'sid'];
  if ((format === 'uuid' || uuidKeys.includes(key)) && !UUID.test(value)) return 'not a UUID';
  if ((format === 'date-time' || /At$|^time$/.test(key)) && !ISO_TIME.test(value))
    return 'not an ISO 8601 time';
  if (format === 'email' && !/^[^@\s]+@[^@\s]+\.[a-z]+$/.test(value)) return 'not an email';
  if (format === 'uri' && !/^https?:\/\/\S+$/.test(value)) return 'not a URI';
  return null;
}

describe('OpenAPI document quality', () => {
  const app = useTestApp();
  let doc: any;
  let ops: Operation[];
  beforeAll(async () => {
    doc = (await app().http.get('/docs-json')).body;
    ops = operationsOf(doc);
  });

  it('declares the tags in the order a newcomer needs them, auth first, each described', () => {
    expect((doc.tags ?? []).map((t: any) => t.name)).toEqual(TAGS);
    const undescribed = (doc.tags ?? []).filter((t: any) => !(t.description?.length > 20));
    expect(undescribed).toEqual([]);
    // Paths follow the tags too, so the document reads top to bottom like Swagger UI.
    const order = ops.map(({ op }) => TAGS.indexOf(op.tags?.[0]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('gives every operation a summary, one declared tag and a unique camelCase operationId', () => {
    const bad = ops
      .filter(({ op }) => !op.summary || op.tags?.length !== 1 || !TAGS.includes(op.tags[0]))
      .map(({ route }) => route);
    expect(bad).toEqual([]);
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(String(id)))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names operations as a generated client should call them', () => {
    const actual = Object.fromEntries(ops.map(({ route, op }) => [route, op.operationId]));
    expect(actual).toEqual(OPERATION_IDS);
  });

  it('describes every response, and shows an example of every body it has', () => {
    const missing = ops.flatMap(({ route, op }) =>
      Object.entries(op.responses).flatMap(([status, response]: [string, any]) => [
        ...(response.description?.trim() ? [] : [`${route} ${status}: no description`]),
        ...contentWithoutExample(doc, response.content ?? {}, `${route} ${status}`),
      ]),
    );
    expect(missing).toEqual([]);
  });

  it('shows an example of every request body and every parameter', () => {
    const missing = ops.flatMap(({ route, op }) => [
      ...contentWithoutExample(doc, op.requestBody?.content ?? {}, `${route} body`),
      // An enum parameter needs none: Swagger UI offers its values.
      ...(op.parameters ?? [])
        .filter((p: any) => p.example === undefined && p.schema?.example === undefined)
        .filter((p: any) => !deref(doc, p.schema)?.enum)
        .map((p: any) => `${route} parameter ${p.name}`),
    ]);
    expect(missing).toEqual([]);
  });

  it('shows realistic examples: real-looking tokens, UUIDs, ISO times; no placeholders', () => {
    const values = exampleValues(doc);
    expect(values.filter((v) => v.key === 'access_token').length).toBeGreaterThan(0);
    expect(values.filter((v) => v.key === 'refresh_token').length).toBeGreaterThan(0);
    const bad = values.flatMap((v) => {
      const why = unrealistic(v);
      return why ? [`${v.where} ${v.key}=${JSON.stringify(v.value)}: ${why}`] : [];
    });
    expect(bad).toEqual([]);
  });

  it('answers every error as a problem whose examples carry a type the service has', () => {
    const known = documentedProblemTypes();
    expect(known.get('https://tessera.dev/problems/invalid-credentials')).toBe(401);
    const bad = ops.flatMap(({ route, path, op }) =>
      Object.entries(op.responses)
        .filter(([status, r]: [string, any]) => Number(status) >= 400 && r.content)
        .flatMap(([status, r]: [string, any]) => {
          const at = `${route} ${status}`;
          const expected = OAUTH_ENDPOINTS.has(path)
            ? 'application/json'
            : 'application/problem+json';
          if (Object.keys(r.content).join() !== expected) return [`${at}: not ${expected}`];
          const examples = mediaExamples(r.content[expected]);
          if (examples.length === 0) return [`${at}: no example`];
          return examples.flatMap((e) => [
            ...(known.get(e?.type) === Number(status) ? [] : [`${at}: type ${e?.type}`]),
            ...(e?.status === Number(status) && e.title && e.detail ? [] : [`${at}: members`]),
            ...(expected === 'application/json' && !e?.error ? [`${at}: no OAuth error`] : []),
          ]);
        }),
    );
    expect(bad).toEqual([]);
  });

  it('documents the 403s of a login: email-not-verified, and mfa-required with its mfa_token', () => {
    const forbidden = doc.paths['/auth/login'].post.responses['403'];
    const types = mediaExamples(forbidden?.content?.['application/problem+json'] ?? {});
    expect(types.map((e) => e?.type)).toEqual([
      'https://tessera.dev/problems/email-not-verified',
      'https://tessera.dev/problems/mfa-required',
    ]);
    expect(types[1]).toMatchObject({ expires_in: 300, methods: ['totp', 'recovery_code'] });
    expect(types[1]?.mfa_token).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
  });

  it('lists every problem type with its status in the document', () => {
    const description: string = doc.components.schemas.ProblemResponse?.description ?? '';
    const listed = [...description.matchAll(/^\| `([a-z-]+)` \| (\d{3}) \|/gm)].map(
      ([, slug, status]) => [`https://tessera.dev/problems/${slug}`, Number(status)],
    );
    expect(new Map(listed as [string, number][])).toEqual(documentedProblemTypes());
  });

  it('documents Retry-After on every 429 and 503 and WWW-Authenticate on every 401', () => {
    const needs: Record<string, string> = {
      '401': 'WWW-Authenticate',
      '429': 'Retry-After',
      '503': 'Retry-After',
    };
    const missing = ops.flatMap(({ route, op }) =>
      Object.entries(op.responses)
        .filter(([status, r]: [string, any]) => needs[status] && r.content)
        .filter(([status, r]: [string, any]) => !r.headers?.[needs[status]]?.description)
        .map(([status]) => `${route} ${status}`),
    );
    expect(missing).toEqual([]);
    // The throttled routes have a 429 at all.
    expect(doc.paths['/auth/login'].post.responses['429']).toBeDefined();
  });

  it('documents the WebSocket endpoint under websocket, with a ticket example', () => {
    const ws = doc.paths['/ws'].get;
    expect(ws.tags).toEqual(['websocket']);
    expect(ws.description).toMatch(/POST \/auth\/ws-ticket/);
    const ticket = ws.parameters.find((p: any) => p.name === 'ticket');
    expect(jwtHeader(ticket.example ?? ticket.schema.example).typ).toBe('ws-ticket+jwt');
  });

  describe('headers, as the running service sends them', () => {
    /** Salient headers documented on that operation's response = those the answer carries. */
    function expectHeadersAsDocumented(route: string, response: HttpResponse): void {
      const [method, path] = route.split(' ');
      const documented = doc.paths[path][method].responses[String(response.status)]?.headers ?? {};
      const names = Object.keys(documented).map((h) => h.toLowerCase());
      const sent = SALIENT_HEADERS.filter((h) => response.headers.has(h));
      const at = `${route} ${response.status}`;
      expect({ at, headers: names.sort() }).toEqual({ at, headers: sent.sort() });
      const cacheControl = Object.entries(documented).find(([h]) => /^cache-control$/i.test(h));
      if (cacheControl)
        expect({
          at,
          cacheControl:
            (cacheControl[1] as any).example ?? (cacheControl[1] as any).schema?.example,
        }).toEqual({ at, cacheControl: response.headers.get('cache-control') });
    }

    let t: TestApp;
    beforeAll(() => {
      t = app();
    });

    it('on sign-in, refresh, logout and the token endpoints', async () => {
      const user = aUser();
      expect((await t.http.post('/auth/register', user)).status).toBe(201);
      const login = await t.http.post('/auth/login', credentials(user));
      expectHeadersAsDocumented('post /auth/login', login);
      const refresh = await t.http.post('/auth/refresh', {
        refresh_token: login.body.refresh_token,
      });
      expectHeadersAsDocumented('post /auth/refresh', refresh);
      const token = refresh.body.access_token as string;
      expectHeadersAsDocumented('get /auth/me', await t.http.get('/auth/me', { token }));
      const ticket = await t.http.post('/auth/ws-ticket', undefined, { token });
      expectHeadersAsDocumented('post /auth/ws-ticket', ticket);
      expectHeadersAsDocumented(
        'post /auth/revoke',
        await t.http.post('/auth/revoke', { token: 'x' }),
      );
      expectHeadersAsDocumented(
        'post /auth/logout',
        await t.http.post('/auth/logout', undefined, { token }),
      );
    });

    it('on the public documents and probes', async () => {
      for (const route of [
        'get /.well-known/jwks.json',
        'get /.well-known/oauth-authorization-server',
        'get /health/live',
        'get /health/ready',
        'get /metrics',
      ])
        expectHeadersAsDocumented(route, await t.http.get(route.split(' ')[1]));
    });

    it('on 401, 403, 404 and 429', async () => {
      expectHeadersAsDocumented('get /auth/me', await t.http.get('/auth/me'));
      expectHeadersAsDocumented('get /auth/me', await t.http.get('/auth/me', { token: 'a.b.c' }));
      const user = aUser();
      await t.http.post('/auth/register', user);
      const token = (await t.http.post('/auth/login', credentials(user))).body.access_token;
      expectHeadersAsDocumented('get /users', await t.http.get('/users', { token }));
      const missing = '/auth/sessions/01a22953-d1c5-73d5-963f-2282b3d14596';
      expectHeadersAsDocumented(
        'delete /auth/sessions/{id}',
        await t.http.delete(missing, { token }),
      );
      const wrong = { username: user.username, password: 'not the password at all' };
      let locked: HttpResponse | undefined;
      for (let i = 0; i < 10 && locked?.status !== 429; i++)
        locked = await t.http.post('/auth/login', wrong);
      expect(locked?.status).toBe(429);
      expectHeadersAsDocumented('post /auth/login', locked!);
      expectHeadersAsDocumented(
        'post /auth/login',
        await t.http.post('/auth/login', { username: 'x', password: 'y' }),
      );
    });
  });
});
