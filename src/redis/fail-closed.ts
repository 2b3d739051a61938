import { StoreUnavailableError } from '../common/errors/store-unavailable.error';
import { circuitOf, StoreCircuit } from './store-circuit';

/**
 * Replies that mean "Redis cannot serve this now" rather than "this command is wrong". OOM (a
 * full Redis under `noeviction`) and MISCONF (it cannot persist, so it refuses writes) are
 * outages of the store, not defects of ours; NOSCRIPT is not one (ioredis resends the script).
 * A MOVED or ASK that reaches us is a Cluster slot that changed hands under a pipeline, which
 * ioredis did not follow (see ReplicaAcks): the next call goes to the new owner.
 */
const UNAVAILABLE_REPLIES =
  /^(CLUSTERDOWN|LOADING|READONLY|MASTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|OOM|MISCONF|MOVED|ASK)\b/;

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

/**
 * Unavailable without an answer (a timeout, no connection): what opens the circuit. An OOM or
 * LOADING reply is an answer: Redis is there, the circuit stays closed.
 */
export function gotNoAnswer(error: unknown): boolean {
  return isUnavailable(error) && (error as Error).name !== 'ReplyError';
}

/**
 * ioredis puts the failed command on its errors as `command: { name, args }`, and the args hold
 * what we sent: a user's JSON with its argon2 hash, session data. Keep the name only, before the
 * error can reach a log line or a `cause` chain.
 */
function withoutCommandArgs(error: unknown): void {
  if (typeof error !== 'object' || error === null || !('command' in error)) return;
  const command = error.command as { name?: unknown } | null;
  error.command = { name: typeof command?.name === 'string' ? command.name : undefined };
}

function toStoreError(error: unknown, circuit: StoreCircuit | undefined): never {
  withoutCommandArgs(error);
  if (gotNoAnswer(error)) circuit?.trip();
  if (isUnavailable(error)) throw new StoreUnavailableError(error);
  throw error;
}

/** The circuit of the client a store holds, looked up once per store instance. */
const storeCircuits = new WeakMap<object, StoreCircuit | null>();
function circuitOfStore(store: object): StoreCircuit | undefined {
  let circuit = storeCircuits.get(store);
  if (circuit === undefined) {
    circuit = Object.values(store).map(circuitOf).find(Boolean) ?? null;
    storeCircuits.set(store, circuit);
  }
  return circuit ?? undefined;
}

// One error for every refused call: a refusal is expected (answered 503), it needs no stack trace.
const OPEN = new StoreUnavailableError(new Error('Redis did not answer; the circuit is open'));

type Ctor = abstract new (...args: never[]) => object;
type Method = (...args: unknown[]) => unknown;

function failClosed(method: Method): Method {
  // Only `async` methods can be refused before they run: a plain one may be a sync helper.
  const refusable = method.constructor.name === 'AsyncFunction';
  return function (this: object, ...args: unknown[]): unknown {
    const circuit = circuitOfStore(this);
    if (refusable && circuit?.isOpen) return Promise.reject(OPEN);
    const result = method.apply(this, args);
    return result instanceof Promise
      ? result.catch((error: unknown) => toStoreError(error, circuit))
      : result;
  };
}

/**
 * Class decorator for Redis store drivers: every async method rejects with
 * `StoreUnavailableError` when Redis is unreachable, so the service fails closed with 503 and
 * never treats "could not check" as "nothing revoked". One place instead of a try in each method.
 * It also consults the client's circuit (see StoreCircuit): while Redis does not answer, calls
 * fail at once instead of each waiting for the command timeout.
 */
export function FailClosed(): <T extends Ctor>(target: T) => void {
  return (target) => {
    const proto = target.prototype as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (name === 'constructor' || typeof method !== 'function') continue;
      Object.defineProperty(proto, name, { value: failClosed(method as Method) });
    }
  };
}
