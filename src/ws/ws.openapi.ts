import { getSchemaPath } from '@nestjs/swagger';
import type { PathItemObject } from '@nestjs/swagger';
import { AppErrorCode } from '../common/errors/app-error';
import { problemResponse } from '../common/openapi/api-problem.decorator';
import { ProblemResponse } from '../common/openapi/problem.schema';
import { EXAMPLE_USER_ID, EXAMPLE_WS_TICKET } from '../common/openapi/examples';
import { THROTTLE_LIMITS } from '../throttle/throttle.limits';
import { WS_CLOSE_CODE_MEANINGS } from './ws-close-codes';

/** Ticket, socket, greeting, close: what a page does (Swagger UI cannot open a socket). */
const BROWSER_EXAMPLE = [
  "const res = await fetch('/auth/ws-ticket', {",
  "  method: 'POST',",
  '  headers: { Authorization: `Bearer ${accessToken}` },',
  '});',
  'const { ticket } = await res.json();',
  'const socket = new WebSocket(`wss://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`);',
  '// {"type":"hello","userId":"' + EXAMPLE_USER_ID + '"}',
  'socket.onmessage = (event) => console.log(JSON.parse(event.data));',
  'socket.onclose = (event) => {',
  '  if (event.code === 4401) signInAgain(); // the session ended',
  '};',
].join('\n');

/** The answer to a GET /ws without `Upgrade: websocket` (ws-upgrade.controller.ts). */
function upgradeRequired() {
  const description = 'Not a WebSocket handshake: this endpoint speaks WebSocket only';
  const { examples, headers } = problemResponse(description, [AppErrorCode.UpgradeRequired]);
  return {
    description,
    headers,
    content: { 'application/json': { schema: { $ref: getSchemaPath(ProblemResponse) }, examples } },
  };
}

/**
 * `GET /ws` for the OpenAPI document. The gateway is a `ws` server on the HTTP server's upgrade
 * event, not a Fastify route, so Swagger cannot see it; setupSwagger adds this path by hand.
 * OpenAPI has no field for close codes: they are in the description, and as a map in the
 * `x-websocket-close-codes` extension for tools.
 */
export function websocketPath(limits: { perSession: number; perUser: number }): PathItemObject {
  const closeCodes = Object.entries(WS_CLOSE_CODE_MEANINGS)
    .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
    .join('\n');
  return {
    get: {
      tags: ['websocket'],
      operationId: 'openWebSocket',
      summary: 'WebSocket upgrade: a live channel that closes when the session ends',
      description:
        'Get a ticket from `POST /auth/ws-ticket` (Bearer; at most ' +
        `${THROTTLE_LIMITS.wsTicket} per user per minute), then open ` +
        '`wss://<host>/ws?ticket=<ticket>` within 60 s. The ticket works once. The server greets ' +
        'with `{"type":"hello","userId":…}` and closes the socket within a second of its session ' +
        `ending, on any instance. A session holds at most ${limits.perSession} sockets and a user ` +
        `${limits.perUser} over all instances together: a new socket beyond either cap closes the ` +
        'oldest one. Messages from the client are ignored. This endpoint speaks WebSocket only: ' +
        "Swagger UI's Try it out (a plain GET, without `Upgrade: websocket`) gets 426.\n\n" +
        'Close codes:\n' +
        closeCodes +
        '\n\nIn a browser:\n\n```js\n' +
        BROWSER_EXAMPLE +
        '\n```',
      parameters: [
        {
          name: 'ticket',
          in: 'query',
          required: true,
          description: 'The single-use ticket (typ ws-ticket+jwt) from POST /auth/ws-ticket',
          schema: { type: 'string' },
          example: EXAMPLE_WS_TICKET,
        },
      ],
      responses: {
        '101': {
          description:
            'Switching Protocols: the socket is open; its first message is the greeting ' +
            `\`{"type":"hello","userId":"${EXAMPLE_USER_ID}"}\`. A ticket that turns out to be ` +
            'used, expired or invalid is then closed with 4401.',
        },
        '401': {
          description:
            'Not sent by this server, which answers 101 and then closes with 4401 for a missing, ' +
            'used, expired or invalid ticket. The contract allows refusing the upgrade with 401 ' +
            'instead, so a client treats a 401 here exactly like a 4401 close: get a new ticket ' +
            '(and, if that fails, sign in again).',
        },
        '426': upgradeRequired(),
      },
      // No bearer: browsers cannot set headers on a WebSocket handshake; the ticket stands in.
      security: [],
      'x-websocket-close-codes': WS_CLOSE_CODE_MEANINGS,
    } as NonNullable<PathItemObject['get']>,
  };
}
