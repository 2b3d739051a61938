import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createApp } from '../../src/app.factory';
import { Env, validateEnv } from '../../src/config/env.validation';
import { Http } from './http';
import { deleteKeysWithPrefix } from './redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  app: NestFastifyApplication;
  http: Http;
  env: Env;
  close(): Promise<void>;
}

/** A random key prefix and keys dir for one test file: tests never touch each other's data. */
export function testEnvironment(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    REDIS_URL,
    REDIS_KEY_PREFIX: `tessera-e2e:${randomBytes(6).toString('hex')}:`,
    JWT_KEYS_DIR: mkdtempSync(join(tmpdir(), 'tessera-keys-')),
    // Mails of tests without an SMTP server of their own go to .eml files here, not ./.mail-outbox.
    MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'tessera-outbox-')),
    COOKIE_SECURE: 'true',
    ...overrides,
  };
}

/**
 * Boots the real AppModule on a random port and returns an HTTP client for it; its JSON log
 * lines go to `options.logDestination` when given (see `LogCapture`).
 * Several apps may run at once in one test file only with the same JWT settings and keys dir
 * (e.g. two instances of one deployment): passport keeps strategies in a process-global registry,
 * so the JwtStrategy constructed last serves every app in the process.
 */
export async function startApp(
  raw: Record<string, string | undefined> = testEnvironment(),
  options: { logDestination?: DestinationStream; port?: number } = {},
): Promise<TestApp> {
  const env = validateEnv(raw);
  // Silent, unless the test reads the JSON log lines (then Nest's own lines go there too).
  const { logDestination } = options;
  const app = await createApp(env, logDestination ? { logDestination } : { logger: false });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    env,
    http: new Http(`http://127.0.0.1:${address.port}`),
    close: () => app.close(),
  };
}

/** A TCP port that was free a moment ago (for an app whose config must name its own origin). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Removes what a test file left behind: its Redis keys (by its own prefix only) and keys dir. */
export async function cleanUp(env: Env): Promise<void> {
  const { driver, keyPrefix } = env.store;
  if (driver.kind === 'redis') await deleteKeysWithPrefix(keyPrefix, driver);
  rmSync(env.jwt.keysDir, { recursive: true, force: true });
  if (env.mail.outboxDir.startsWith(tmpdir())) {
    rmSync(env.mail.outboxDir, { recursive: true, force: true });
  }
}

/**
 * Starts one app for the enclosing `describe` (beforeAll) and closes and cleans it up after
 * (afterAll). Returns a getter: the app exists only once beforeAll has run.
 */
export function useTestApp(overrides: Record<string, string | undefined> = {}): () => TestApp {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await startApp(testEnvironment(overrides));
  });
  afterAll(async () => {
    if (!t) return;
    await t.close();
    await cleanUp(t.env);
  });
  return () => {
    if (!t) throw new Error('useTestApp: the app starts in beforeAll');
    return t;
  };
}

/**
 * Two instances of one deployment (same keys dir, same Redis key prefix) for the enclosing
 * `describe`: started in beforeAll, closed and cleaned up in afterAll. The array is filled once
 * beforeAll has run; a later `beforeAll(() => ([a, b] = apps))` names them.
 */
export function useTwoInstances(overrides: Record<string, string | undefined> = {}): TestApp[] {
  const env = testEnvironment(overrides);
  const apps: TestApp[] = [];
  beforeAll(async () => {
    apps.push(await startApp(env), await startApp(env));
  }, 30_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    if (apps[0]) await cleanUp(apps[0].env);
  });
  return apps;
}
