import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

/** The token response of `POST /auth/login` and `POST /auth/refresh`. */
export type TokenResponse =
  paths['/auth/login']['post']['responses'][200]['content']['application/json'];
/** The caller as `GET /auth/me` describes it. */
export type Me = paths['/auth/me']['get']['responses'][200]['content']['application/json'];

const PROBLEM_TYPES = 'https://tessera.dev/problems/';

/** The session is over (logout, revocation, reuse, its end): only a new login helps. */
export class SignInRequired extends Error {
  constructor(readonly reason: string) {
    super(`sign in again: ${reason}`);
    this.name = 'SignInRequired';
  }
}

/** Tessera refused a request for a reason a refresh cannot cure (400, 403, 404, 429, 5xx, …). */
export class TesseraError extends Error {
  constructor(
    readonly status: number,
    readonly type: string | undefined,
    detail: string | undefined,
  ) {
    super(`${status} ${type ?? ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'TesseraError';
  }
}

interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}
type AuthorizedCall<R extends Outcome> = (init: {
  headers: { authorization: string };
}) => Promise<R>;

/**
 * A small Tessera client over openapi-fetch and the types generated from docs/openapi.json.
 *
 * It follows docs/tokens-and-sessions.md: on a 401 `invalid-token` it refreshes once and retries
 * once; a second 401 means "sign in again". A refresh token is single-use and presenting it twice
 * ends the session, so a client keeps one refresh in flight: requests that fail with the same
 * access token share one refresh promise, and a request that failed with a token that has already
 * been replaced simply retries with the new one. (Several tabs or processes sharing one session
 * need the same rule across them: a Web Lock or one refresher that tells the others.)
 */
export class TesseraClient {
  /** The typed openapi-fetch client, for routes this class does not wrap. */
  readonly api: Client<paths>;
  /** How many refreshes this client has sent (the example prints it). */
  refreshes = 0;
  private session: TokenResponse | undefined;
  private refreshing: Promise<TokenResponse> | undefined;

  constructor(baseUrl: string) {
    this.api = createClient<paths>({ baseUrl });
  }

  /** The current tokens (store them to resume the session later), if signed in. */
  get tokens(): TokenResponse | undefined {
    return this.session;
  }

  /** Resumes a session from stored tokens. */
  restore(tokens: TokenResponse): void {
    this.session = tokens;
  }

  async login(username: string, password: string, scope?: string): Promise<TokenResponse> {
    const body = scope === undefined ? { username, password } : { username, password, scope };
    const { data, error, response } = await this.api.POST('/auth/login', { body });
    if (!data) throw tesseraError(response, error);
    this.session = data;
    return data;
  }

  async me(): Promise<Me> {
    const { data } = await this.authorized((init) => this.api.GET('/auth/me', init));
    if (!data) throw new TesseraError(200, undefined, 'GET /auth/me answered without a body');
    return data;
  }

  /** Ends this session on the server (every token of it stops working) and forgets it here. */
  async logout(): Promise<void> {
    await this.authorized((init) => this.api.POST('/auth/logout', init));
    this.session = undefined;
  }

  /** Sends `call` with the access token; on a 401 `invalid-token`, refreshes and retries once. */
  private async authorized<R extends Outcome>(call: AuthorizedCall<R>): Promise<R> {
    const used = this.current();
    let outcome = await call(bearer(used));
    if (outcome.response.status === 401 && problemType(outcome.error) === 'invalid-token') {
      outcome = await call(bearer(await this.refreshAfter(used)));
    }
    if (outcome.response.ok) return outcome;
    if (outcome.response.status === 401) {
      // Refused again right after a refresh: the session is gone. Never a second refresh.
      this.session = undefined;
      throw new SignInRequired(problemType(outcome.error) ?? 'unauthenticated');
    }
    throw tesseraError(outcome.response, outcome.error);
  }

  /**
   * New tokens to replace `stale`, refreshing at most once for it: a request that failed with
   * `stale` while a refresh is in flight waits for that refresh, and one that failed after the
   * refresh finished gets the tokens it produced.
   */
  private refreshAfter(stale: TokenResponse): Promise<TokenResponse> {
    if (this.session !== stale) return Promise.resolve(this.current());
    this.refreshing ??= this.refresh(stale).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(stale: TokenResponse): Promise<TokenResponse> {
    this.refreshes += 1;
    let outcome;
    try {
      outcome = await this.api.POST('/auth/refresh', {
        body: { refresh_token: stale.refresh_token },
      });
    } catch (error) {
      // The server may have exchanged the token before the connection broke: presenting it again
      // would be reuse and end the session anyway. Never resend a refresh token.
      this.session = undefined;
      throw new SignInRequired(`refresh failed (${String(error)})`);
    }
    if (outcome.response.status === 429) {
      // Throttled before the token was looked at: it is still unused, the session goes on.
      throw tesseraError(outcome.response, outcome.error);
    }
    if (!outcome.data) {
      this.session = undefined;
      throw new SignInRequired(
        problemType(outcome.error) ?? `refresh answered ${outcome.response.status}`,
      );
    }
    this.session = outcome.data;
    return outcome.data;
  }

  private current(): TokenResponse {
    if (!this.session) throw new SignInRequired('not signed in');
    return this.session;
  }
}

function bearer(tokens: TokenResponse): { headers: { authorization: string } } {
  return { headers: { authorization: `Bearer ${tokens.access_token}` } };
}

/** The problem `type` of an error body, without its common prefix (`invalid-token`, …). */
function problemType(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const type = error.type;
  if (typeof type !== 'string') return undefined;
  return type.startsWith(PROBLEM_TYPES) ? type.slice(PROBLEM_TYPES.length) : type;
}

function tesseraError(response: Response, error: unknown): TesseraError {
  const detail =
    typeof error === 'object' &&
    error !== null &&
    'detail' in error &&
    typeof error.detail === 'string'
      ? error.detail
      : undefined;
  return new TesseraError(response.status, problemType(error), detail);
}
