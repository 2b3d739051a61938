import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An environment variable as src/config reads it: its default and range when they are literals. */
export interface EnvVariable {
  name: string;
  /** The fallback as written in the code (`604_800` reads as `604800`); absent when none. */
  fallback?: string;
  /** `int` variables: the allowed range. */
  range?: { min: string; max: string };
}

const PARSERS = 'raw|str|int|bool|oneOf|url|list|origins|email|hostPorts';
const NAME = `'([A-Z][A-Z0-9_]*)'`;
const READ = new RegExp(`\\b(?:${PARSERS})\\( ?env, ?${NAME}`, 'g');
const PROCESS_ENV = /\bprocess\.env\.([A-Z][A-Z0-9_]*)/g;
const NUMBER = '(\\d[\\d_]*)';
/** Literal fallbacks, per parser: `int(env, 'X', 900, 30, 86_400)`, `str(env, 'X', 'a')`, … */
const FALLBACKS: RegExp[] = [
  new RegExp(`\\bint\\( ?env, ?${NAME}, ?${NUMBER}, ?${NUMBER}, ?${NUMBER} ?\\)`, 'g'),
  new RegExp(`\\bstr\\( ?env, ?${NAME}, ?'([^']*)' ?\\)`, 'g'),
  new RegExp(`\\bbool\\( ?env, ?${NAME}, ?(true|false) ?\\)`, 'g'),
  new RegExp(`\\b(?:oneOf|url)\\( ?env, ?${NAME}, [^)]*?, ?'([^']*)' ?\\)`, 'g'),
];

/** The source of src/config (specs aside), whitespace folded so calls read as one line. */
function configSource(root: string): string {
  const dir = join(root, 'src', 'config');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n')
    .replace(/\s+/g, ' ')
    .replace(/,\s*\)/g, ')');
}

/**
 * Every environment variable src/config reads (the only place that may read the environment),
 * found in its source: a parser call `int(env, 'NAME', …)` or `process.env.NAME`.
 */
export function envVariables(root: string): EnvVariable[] {
  const source = configSource(root);
  const variables = new Map<string, EnvVariable>();
  for (const match of [...source.matchAll(READ), ...source.matchAll(PROCESS_ENV)]) {
    variables.set(match[1], { name: match[1] });
  }
  for (const pattern of FALLBACKS) {
    for (const [, name, fallback, min, max] of source.matchAll(pattern)) {
      const plain = (n: string) => n.replace(/_/g, '');
      variables.set(name, {
        name,
        fallback: min === undefined ? fallback : plain(fallback),
        ...(min === undefined ? {} : { range: { min: plain(min), max: plain(max) } }),
      });
    }
  }
  return [...variables.values()].sort((a, b) => a.name.localeCompare(b.name));
}
