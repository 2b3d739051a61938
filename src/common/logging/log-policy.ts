import { LevelWithSilent } from 'pino';
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

/**
 * The redaction of an audit line (`{ audit: AuditEvent }`): what REDACTED_PATHS would catch in
 * one, as exact paths. An event's fields are fixed and none is a secret; its `details` are flat
 * (AuditInput), so a secret could only be `audit.details.<field>`, which `*.*.<field>` matched.
 * Exact paths are direct property reads; the wildcards walked every audit line (~3 % of a token
 * refresh's CPU, bench/README.md).
 */
export const AUDIT_REDACTED_PATHS = SECRET_FIELDS.map((field) => `audit.details.${field}`);

/*
 * Defence in depth: nothing should log these, but a careless `logger.info(dto)` must still not
 * write a password or a token. Headers carry bearer tokens and refresh cookies.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  // An ioredis error carries the failed command's arguments (`err.command.args`): a user's JSON
  // with its argon2 hash, session data. FailClosed keeps the command name only; this catches an
  // error that reached a log without passing through it.
  'command.args',
  '*.command.args',
  '*.*.command.args',
];

/**
 * LOG_LEVEL when it is set. Else: quiet tests unless a test captures the output (then
 * everything); info in development and production: every request a person makes, without the
 * health probes and metrics scrapes (debug).
 */
export function logLevel(
  nodeEnv: Env['app']['nodeEnv'],
  capturing: boolean,
  configured?: LevelWithSilent,
): LevelWithSilent {
  if (configured) return configured;
  if (capturing) return 'debug';
  switch (nodeEnv) {
    case 'production':
      return 'info';
    case 'development':
      return 'info';
    case 'test':
      return 'silent';
  }
}
