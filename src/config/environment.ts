import { existsSync } from 'node:fs';
import { Env, validateEnv } from './env.validation';

let cached: Env | undefined;

/**
 * The validated configuration of this process: `.env` (development defaults; real environment
 * variables win) merged under `process.env`, validated once. The only reader of process.env.
 */
export function readEnvironment(): Env {
  if (!cached) {
    if (existsSync('.env') && process.env.NODE_ENV !== 'test') process.loadEnvFile('.env');
    cached = validateEnv(process.env);
  }
  return cached;
}

/** The raw process environment, for tests that build an Env with overrides. */
export function processEnv(): Record<string, string | undefined> {
  return { ...process.env };
}
