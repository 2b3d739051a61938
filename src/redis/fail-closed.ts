import { StoreUnavailableError } from '../common/errors/store-unavailable.error';

/** Replies that mean "Redis cannot serve this now" rather than "this command is wrong". */
const UNAVAILABLE_REPLIES = /^(CLUSTERDOWN|LOADING|READONLY|MASTERDOWN|TRYAGAIN|BUSY|NOREPLICAS)\b/;

/** Client-side ioredis errors for a lost, closed, offline or too slow connection. */
const UNAVAILABLE_ERRORS = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'AbortError',
  'RedisError',
]);
const UNAVAILABLE_MESSAGES =
  /enableOfflineQueue|Connection is closed|Command timed out|Socket timeout|connect E|ECONNRESET|EPIPE|None of startup nodes|Cluster is|Node is disconnected|Too many Cluster redirections/;

/**
 * Whether an error from ioredis means Redis is unreachable. Other errors (a ReplyError for a
 * wrong command, a bug in our code) are defects and must surface as they are, not hide as 503.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLIES.test(error.message);
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  return error.name === 'Error' && UNAVAILABLE_MESSAGES.test(error.message);
}

function toStoreError(error: unknown): never {
  if (isUnavailable(error)) throw new StoreUnavailableError(error);
  throw error;
}

type Ctor = abstract new (...args: never[]) => object;

/**
 * Class decorator for Redis store drivers: every async method rejects with
 * `StoreUnavailableError` when Redis is unreachable, so the service fails closed with 503 and
 * never treats "could not check" as "nothing revoked". One place instead of a try in each method.
 */
export function FailClosed(): <T extends Ctor>(target: T) => void {
  return (target) => {
    const proto = target.prototype as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (name === 'constructor' || typeof method !== 'function') continue;
      Object.defineProperty(proto, name, {
        value: function (this: unknown, ...args: unknown[]): unknown {
          const result: unknown = method.apply(this, args);
          return result instanceof Promise ? result.catch(toStoreError) : result;
        },
      });
    }
  };
}
