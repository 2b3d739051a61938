import { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AsyncLocalStorage } from 'node:async_hooks';

/** What code deep inside a request may learn about it without being handed the request. */
export interface RequestInfo {
  requestId: string;
  ip: string;
}

/*
 * The store is the Fastify request itself: entering costs no allocation, and `request.ip` (which
 * walks X-Forwarded-For when TRUST_PROXY is on) is only computed when someone asks. This runs on
 * every request, the hot path.
 */
const storage = new AsyncLocalStorage<FastifyRequest>();

function enter(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  rememberPeer(request);
  storage.run(request, done);
}

/**
 * Node asks the kernel for a connection's peer address only when first asked (then keeps it), and
 * cannot once the connection is gone: a client that resets it while its request runs (a scanner
 * that never waits for answers) would leave `request.ip` undefined for the audit trail and the
 * per-IP counters. Asked here, while the client is connected: one system call per connection.
 */
function rememberPeer(request: FastifyRequest): string | undefined {
  return request.raw.socket?.remoteAddress;
}

/**
 * Makes the current request known to `currentRequest()` for everything the request runs. Call on
 * the Fastify instance before any route is registered.
 */
export function installRequestContext(fastify: FastifyInstance): void {
  // One hook is enough: Fastify parses bodies inside an AsyncResource of the request, so the
  // context reaches the guards (which record TOKEN_INVALID) and the handler (request-context.spec).
  fastify.addHook('onRequest', enter);
}

/**
 * Runs `fn` as part of `request` (its context), from code that runs for several requests at once
 * (coalesced-writes.ts writes a turn's answers in one callback).
 */
export function runInRequest(request: FastifyRequest, fn: () => void): void {
  storage.run(request, fn);
}

/** The request being served, or undefined outside one (start-up, timers). */
export function currentRequest(): RequestInfo | undefined {
  const request = storage.getStore();
  return request ? { requestId: request.id, ip: request.ip } : undefined;
}

/** Only the id of the request being served (no object built): for every log line. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.id;
}
