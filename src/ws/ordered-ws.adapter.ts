import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAnswersInFlight } from '../common/http/answers-in-flight';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Nest's WsAdapter, with each WebSocket upgrade handed to `ws` only once the answers to the
 * requests read before it on the same connection have been written (HTTP/1.1 pipelining:
 * `GET /health/live` and `GET /ws` in one packet). `ws` writes its `101 Switching Protocols`
 * straight on the connection; written first, the earlier answer, still waiting for the store or
 * for the end of its turn (coalesced-writes.ts), would arrive inside the WebSocket stream. Until
 * then the connection is not read (Node leaves it paused for the upgrade's listener), so no frame
 * is lost.
 */
export class OrderedWsAdapter extends WsAdapter {
  private readonly ordered = new Map<Server, UpgradeListener>();

  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    const known = this.httpServersRegistry.has(port);
    const server = super.ensureHttpServerExists(port, httpServer);
    if (known || !server) return server;
    // WsAdapter's own listener (and any other), called in order once the connection is free.
    const direct = server.listeners('upgrade') as UpgradeListener[];
    server.removeAllListeners('upgrade');
    const ordered: UpgradeListener = (request, socket, head) =>
      afterAnswersInFlight(socket, () => {
        for (const listener of direct) listener.call(server, request, socket, head);
      });
    server.on('upgrade', ordered);
    this.ordered.set(server, ordered);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    // WsAdapter takes off the listener it added, which is no longer on the server: this one is.
    for (const [server, listener] of this.ordered) server.off('upgrade', listener);
    this.ordered.clear();
  }
}
