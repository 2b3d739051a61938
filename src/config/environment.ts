import { existsSync } from 'node:fs';
import { Env, validateEnv } from './env.validation';

let cached: Env | undefined;

/**
 * The validated configuration of this process, validated once; the only reader of process.env.
 * In development (NODE_ENV unset or `development`) `.env` supplies defaults under the real
 * environment; never in production or tests, where its development values would be wrong.
 */
export function readEnvironment(): Env {
  if (!cached) {
    const development = (process.env.NODE_ENV ?? 'development') === 'development';
    if (development && existsSync('.env')) process.loadEnvFile('.env');
    cached = validateEnv(process.env);
  }
  return cached;
}

/**
 * Whether NODE_ENV says production, before (and whatever) the rest of the environment validates:
 * for a command that must refuse production first, such as `npm run seed`.
 */
export function productionRequested(): boolean {
  return process.env.NODE_ENV?.trim() === 'production';
}
