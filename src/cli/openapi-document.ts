import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.factory';
import { validateEnv } from '../config/env.validation';

/** Where the committed OpenAPI document lives, relative to the repository root. */
export const OPENAPI_DOCUMENT_PATH = 'docs/openapi.json';

/**
 * The OpenAPI document exactly as `GET /docs-json` serves it, as the text committed in
 * docs/openapi.json (2-space JSON, final newline). The app is built by the same factory as the
 * service (so setupSwagger builds the document) but never listens: the request is injected.
 * The environment is fixed (defaults, in-memory store, throwaway keys dir), not the caller's, so
 * the document depends on the code alone and the same commit always yields the same bytes.
 */
export async function renderOpenApiDocument(): Promise<string> {
  const keysDir = mkdtempSync(join(tmpdir(), 'tessera-openapi-'));
  try {
    const env = validateEnv({
      NODE_ENV: 'development',
      JWT_KEYS_DIR: keysDir,
      DOCS_ENABLED: 'true',
    });
    // Silent: its request log line would land in the output of `npm run openapi`.
    const app = await createApp(env, { logger: false, logDestination: { write: () => undefined } });
    try {
      const response = await app.getHttpAdapter().getInstance().inject({ url: '/docs-json' });
      if (response.statusCode !== 200) {
        throw new Error(`GET /docs-json answered ${response.statusCode}`);
      }
      return `${JSON.stringify(JSON.parse(response.body), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    rmSync(keysDir, { recursive: true, force: true });
  }
}
