// The reference every Tessera figure is divided by: a bare Fastify "hello" route, no plugins, no
// logging, on the same machine and in the same run. Usage: node bench/reference.mjs <port>
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 3990);
const app = Fastify({ logger: false });
app.get('/', () => ({ hello: 'world' }));
await app.listen({ port, host: '127.0.0.1' });

// Stop cleanly when the harness says so (it stops us by PID).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
