import 'reflect-metadata';
import pino from 'pino';
import { configErrorLines } from '../config/env.parsers';
import { readEnvironment } from '../config/environment';
import { KeyRotation } from '../tokens/key-rotation';
import { runKeysCommand } from './keys.command';
import { createKeysContext } from './keys.context';

/**
 * `npm run keys:rotate` / `keys:list` / `keys:encrypt` (after `npm run build`), with the instances'
 * environment (JWT_KEYS_DIR, JWT_ALGORITHM, JWT_KEYS_PASSPHRASE, JWT_ACCESS_TTL, the store).
 * Output goes to stdout; log lines (the KEY_ROTATED audit line) go to stderr as JSON.
 */
async function main(): Promise<number> {
  const env = readEnvironment();
  const context = await createKeysContext(env, pino.destination({ dest: 2, sync: true }));
  try {
    return await runKeysCommand(context.get(KeyRotation), process.argv.slice(2), (line) =>
      console.log(line),
    );
  } finally {
    await context.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A configuration problem or a refused rotation is one line, never a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    const lines = configErrorLines(error);
    console.error(
      lines ? lines.map((line) => `Invalid configuration: ${line}`).join('\n') : message,
    );
    process.exit(1);
  },
);
