import { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import { DestinationStream, LevelWithSilent, stdTimeFunctions } from 'pino';
import { Options } from 'pino-http';
import { Env } from '../../config/env.validation';

/** Body and object fields that may hold a secret, wherever they sit in a logged object. */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'access_token',
  'refresh_token',
  'ticket',
  'secret',
];

/*
 * Defence in depth: nothing should log these, but a careless `logger.info(dto)` must still not
 * write a password or a token. Headers carry bearer tokens and refresh cookies.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Quiet tests unless a test captures the output; everything in development. */
export function logLevel(nodeEnv: Env['app']['nodeEnv'], capturing: boolean): LevelWithSilent {
  switch (nodeEnv) {
    case 'production':
      return 'info';
    case 'development':
      return 'debug';
    case 'test':
      return capturing ? 'debug' : 'silent';
  }
}

interface SerializedRequest {
  id: unknown;
  method: string;
  url?: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
}

/** The request as logged: the path without its query string (GET /ws?ticket=… holds a token). */
function requestSerializer(req: SerializedRequest) {
  const { id, method, url, headers, remoteAddress } = req;
  return { id, method, url: url?.split('?')[0], headers, remoteAddress };
}

/**
 * nestjs-pino settings: JSON lines through pino-http, one line per request with Fastify's request
 * id, and the request id bound to every log made while serving it. `destination` replaces stdout
 * (tests capture the output through it).
 */
export function loggerParams(app: Env['app'], destination?: DestinationStream): Params {
  const options: Options = {
    level: logLevel(app.nodeEnv, destination !== undefined),
    // Fastify made the id (genReqId in app.factory); @fastify/middie copies it onto the raw request.
    genReqId: (req) => req.id ?? randomUUID(),
    quietReqLogger: true,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: requestSerializer },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : 'info',
  };
  return {
    pinoHttp: destination ? [options, destination] : options,
    // nestjs-pino 5.2.1's default route, `{/*splat}`, matches nothing under NestJS 12.5 with
    // Fastify (no request line was ever written); the explicit wildcard does.
    forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }],
  };
}
