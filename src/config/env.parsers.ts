/** Thrown for a bad environment variable: the message is one line naming it, never its value. */
export class EnvError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'EnvError';
  }
}

export type RawEnv = Record<string, string | undefined>;

/** Reads one variable, treating an empty string as unset. */
export function raw(env: RawEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A 32-byte secret key given as `value` (read with `raw`), base64 or base64url
 * (`openssl rand -base64 32`); null when unset.
 */
export function key32(name: string, value: string | undefined): Buffer | null {
  if (value === undefined) return null;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : null;
  if (!key || key.length !== 32) {
    throw new EnvError(name, 'must be 32 bytes, base64 (openssl rand -base64 32)');
  }
  return key;
}

export function str(env: RawEnv, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function int(env: RawEnv, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new EnvError(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new EnvError(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

export function bool(env: RawEnv, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new EnvError(name, 'must be true or false');
}

export function oneOf<T extends string>(
  env: RawEnv,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const found = allowed.find((a) => a === value);
  if (!found) throw new EnvError(name, `must be one of ${allowed.join(', ')}`);
  return found;
}

export function list(env: RawEnv, name: string): string[] {
  return (raw(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function url(env: RawEnv, name: string, protocols: string[], fallback?: string): string {
  const value = raw(env, name) ?? fallback;
  if (value === undefined) throw new EnvError(name, 'is required');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new EnvError(name, `must be a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new EnvError(name, `must be a URL (${protocols.join(' or ')})`);
  }
  return value;
}

/** `host:port` pairs, as used by Sentinel and Cluster seed lists. */
export function hostPorts(env: RawEnv, name: string): { host: string; port: number }[] {
  return list(env, name).map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new EnvError(name, 'must be a comma-separated list of host:port');
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function email(env: RawEnv, name: string): string | undefined {
  const value = raw(env, name);
  if (value !== undefined && !EMAIL.test(value))
    throw new EnvError(name, 'must be an email address');
  return value;
}

/** A comma-separated list of web origins (scheme://host[:port]), normalised. */
export function origins(env: RawEnv, name: string): string[] {
  return list(env, name).map((entry) => {
    try {
      const parsed = new URL(entry);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
    } catch {
      // reported below
    }
    throw new EnvError(name, 'must be a comma-separated list of http(s) origins');
  });
}

/** Every bad variable at once: the message is one line per variable, as EnvError has them. */
export class EnvErrors extends Error {
  constructor(readonly errors: readonly EnvError[]) {
    super(errors.map((error) => error.message).join('\n'));
    this.name = 'EnvErrors';
  }
}

/**
 * Gathers EnvErrors so validation goes on past the first bad variable. `check(read)` returns what
 * `read` returns, or `undefined` (typed as T) when it threw an EnvError: the value is then never
 * used, because `throwIfAny()` refuses the whole environment before anyone reads it.
 */
export class EnvErrorCollector {
  private readonly errors: EnvError[] = [];

  check = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      this.errors.push(error);
      return undefined as T;
    }
  };

  throwIfAny(): void {
    if (this.errors.length > 0) throw new EnvErrors(this.errors);
  }
}

/** The lines to print for a configuration error (one per bad variable), or null for any other. */
export function configErrorLines(error: unknown): string[] | null {
  if (error instanceof EnvErrors) return error.errors.map((e) => e.message);
  if (error instanceof EnvError) return [error.message];
  return null;
}
