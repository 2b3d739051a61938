import { StreamableFile } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { FastifyReply } from 'fastify';
import { writtenPromise } from './coalesced-writes';

/**
 * Nest's Fastify adapter, with one difference in what `reply()` returns for an answer that is not
 * a stream: a promise settled once the answer is written (coalesced-writes.ts), instead of
 * Fastify's reply itself.
 *
 * Why: Nest awaits what `reply()` returns before a route's handling ends (Fastify must see the
 * reply sent by then, or it answers a second time), and Fastify's reply is a thenable whose `then`
 * watches the response with Node's end-of-stream helper: six listeners added to the response and
 * removed again, and their closures, on every request. That was ~5 % of the CPU of `GET /auth/me`
 * (bench/README.md, "Changes"). The answers of a turn are written by one callback of ours, which
 * settles each promise right after the answer's write: the same moment, without the listeners.
 *
 * Streamed answers, answers sent before this turn's batch (from a raw response), and any reply
 * that is not the last one batched keep Fastify's thenable.
 */
export class WrittenReplyAdapter extends FastifyAdapter {
  override reply(
    response: Parameters<FastifyAdapter['reply']>[0],
    body: unknown,
    statusCode?: number,
  ): ReturnType<FastifyAdapter['reply']> {
    const sent = super.reply(response, body, statusCode);
    if (
      body instanceof StreamableFile ||
      typeof (body as { pipe?: unknown })?.pipe === 'function'
    ) {
      return sent;
    }
    // Nest only awaits the value (router-response-controller, the base exception filter).
    const written = writtenPromise(response as FastifyReply);
    return (written ?? sent) as unknown as typeof sent;
  }
}
