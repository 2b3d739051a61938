import { connect, createServer, Server, Socket } from 'node:net';
import { REDIS_URL } from './redis';

/**
 * A TCP proxy to the real Redis whose replies can be held back: once `hang()` is called, the
 * client's commands still reach Redis but no answer comes back, as from a SIGSTOPped server.
 */
export async function hangingProxy(): Promise<{
  port: number;
  hang(): void;
  close(): void;
  /** Everything the clients sent so far, as text. */
  sent(): string;
}> {
  const upstream = new URL(REDIS_URL);
  let hung = false;
  let sent = '';
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const redis = connect(Number(upstream.port || 6379), upstream.hostname);
    sockets.push(client, redis);
    client.pipe(redis);
    client.on('data', (chunk: Buffer) => (sent += chunk.toString('latin1')));
    redis.on('data', (chunk: Buffer) => {
      if (!hung) client.write(chunk);
    });
    client.on('error', () => undefined);
    redis.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    hang: () => (hung = true),
    sent: () => sent,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}
