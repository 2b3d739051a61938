import { Server } from 'node:http';

/**
 * A client may shut its sending side once its requests are written (a TCP FIN; RFC 9112 §9.6
 * lets either side half-close) and still read the answers. Node's HTTP server ends the connection
 * at that FIN by default (`httpAllowHalfOpen`, false), so requests still running then (any that
 * waits for the store) were never answered. With it on, Node marks the last answer owed as the
 * last one and closes the connection once it is written.
 */
export function answerHalfClosedClients(server: Server): void {
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
}
