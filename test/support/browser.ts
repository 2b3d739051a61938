import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser suites can run here. Under CI a missing chromium is a failure (`.ci/run`
 * installs it), never a silent skip; locally the suite is skipped with this message.
 */
export function chromiumAvailability(): { run: boolean; missing?: string } {
  if (existsSync(CHROMIUM)) return { run: true };
  const missing = `${CHROMIUM} is missing: install Debian's chromium (as root: apt-get install -y chromium)`;
  return { run: process.env.CI === 'true', missing };
}

/** A headless Chromium with a new, empty profile, removed again by `close()`. */
export interface HeadlessBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessBrowser> {
  const { missing } = chromiumAvailability();
  if (missing) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  // These flags are what it takes on a headless server: no sandbox (root, no user namespaces),
  // no GPU, and nothing that would call home (updates, sync, QUIC probes) during a test.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A tiny web server on its own port (so its own origin) that serves one HTML page at `/`. */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

export async function servePage(html: string): Promise<PageServer> {
  const server: Server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
