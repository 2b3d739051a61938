import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envVariables } from './support/env-variables';

/**
 * `.env.example` documents every variable src/config reads; the tracked `.env` holds development
 * values of real variables only, and neither file holds a secret (or anything shaped like one).
 */
const ROOT = resolve(__dirname, '..');
const SECRETS = ['JWT_SECRET', 'JWT_KEYS_PASSPHRASE', 'BOOTSTRAP_ADMIN_PASSWORD'];
const KNOWN = envVariables(ROOT).map((v) => v.name);

const lines = (file: string) => readFileSync(join(ROOT, file), 'utf8').split('\n');
const ASSIGNMENT = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/;

/**
 * `NAME=value` lines, set (`# ` absent) or commented out, each with `doc`: the nearest line above
 * it that is not an assignment (a group of related variables shares one comment).
 */
function assignments(file: string) {
  const all = lines(file);
  return all.flatMap((line, i) => {
    const match = ASSIGNMENT.exec(line);
    if (!match) return [];
    let above = i - 1;
    while (above >= 0 && ASSIGNMENT.test(all[above])) above -= 1;
    return [{ set: !match[1], name: match[2], value: match[3], doc: all[above] ?? '' }];
  });
}

describe('.env.example', () => {
  const example = assignments('.env.example');

  it('lists every variable src/config reads, each under a comment saying what it does', () => {
    expect(KNOWN).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'LOG_PRETTY']));
    // A new variable in src/config belongs here too, commented out with its default.
    const missingFromEnvExample = KNOWN.filter((name) => !example.some((a) => a.name === name));
    expect({ missingFromEnvExample }).toEqual({ missingFromEnvExample: [] });
    const undocumented = example.filter((a) => !/^# \S/.test(a.doc) || a.doc.startsWith('# ----'));
    expect(undocumented.map((a) => a.name)).toEqual([]);
  });

  it('names only real variables, sets none, and leaves every secret empty', () => {
    expect(example.filter((a) => !KNOWN.includes(a.name)).map((a) => a.name)).toEqual([]);
    expect(example.filter((a) => a.set).map((a) => a.name)).toEqual([]);
    expect(example.filter((a) => SECRETS.includes(a.name) && a.value !== '')).toEqual([]);
  });
});

describe('the tracked .env', () => {
  const env = assignments('.env');

  it('sets development values of real variables only', () => {
    expect(env.filter((a) => a.set).map((a) => a.name)).toEqual(
      expect.arrayContaining(['NODE_ENV', 'COOKIE_SECURE']),
    );
    expect(env.filter((a) => !KNOWN.includes(a.name)).map((a) => a.name)).toEqual([]);
    expect(env.find((a) => a.name === 'NODE_ENV')?.value).toBe('development');
  });

  it('holds no secret, not even a development one', () => {
    expect(env.filter((a) => SECRETS.includes(a.name)).map((a) => a.name)).toEqual([]);
    // Nothing that looks like a password or a key: long random-looking values.
    const randomLooking = env.filter((a) => /^[A-Za-z0-9+/_=-]{20,}$/.test(a.value));
    expect(randomLooking.map((a) => a.name)).toEqual([]);
  });
});
