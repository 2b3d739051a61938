// Runs once before any test: every store suite needs a real Redis (REDIS_URL, default
// redis://127.0.0.1:6379). Without one they would each wait out their timeouts, test by test, for
// minutes; this asks once, with a short timeout, and stops the run with one line saying what to do.
const { Redis } = require('ioredis');

const TIMEOUT_MS = 2000;

/** The URL without its credentials, fit for a message. */
function shown(url) {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'REDIS_URL';
  }
}

async function answers(url) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // the answer below says it all
  const timeout = new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS, false).unref());
  try {
    const ping = redis
      .connect()
      .then(() => redis.ping())
      .then((reply) => reply === 'PONG');
    return await Promise.race([ping.catch(() => false), timeout]);
  } finally {
    redis.disconnect();
  }
}

module.exports = async function redisPreflight() {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (await answers(url)) return;
  process.stderr.write(
    `\nRedis is not answering at ${shown(url)}: start it with \`redis-server --daemonize yes\` or set REDIS_URL\n`,
  );
  process.exit(1);
};
