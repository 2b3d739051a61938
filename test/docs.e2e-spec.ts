import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { AppErrorCode } from '../src/common/errors/app-error';
import { ERROR_SPECS, problemType } from '../src/common/errors/error-status';
import { KNOWN_SCOPES, ROLE_DEFAULT_SCOPES } from '../src/config/scopes';
import { envVariables } from './support/env-variables';
import { anchorsOf, linksOf, readText, sectionsOf, tableRows } from './support/markdown';

/**
 * The documentation is part of the repository and must not rot: every link resolves in a fresh
 * clone, and the pages that list the error types and the environment variables list all of them,
 * as the code has them now.
 */
const ROOT = resolve(__dirname, '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  'README.md',
  ...readdirSync(DOCS)
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** Top-level paths .gitignore keeps out of a clone (`dist/`, `keys/`, …): never link targets. */
const IGNORED = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim().replace(/^\//, '').replace(/\/$/, ''))
  .filter((line) => line !== '' && !line.startsWith('#') && !/[*?[!]/.test(line));

/** Schemes a page may link to: public web pages, which work in any clone. */
const EXTERNAL = /^(https?|mailto):/i;

interface Problem {
  page: string;
  line: number;
  target: string;
  why: string;
}

/** What is wrong with one link target of `page`, or null. */
function checkLink(page: string, target: string): string | null {
  if (EXTERNAL.test(target)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'not a relative link or a web URL';
  if (target.startsWith('/')) return 'an absolute path: use a path relative to the page';
  const [pathPart, fragment] = target.split('#', 2);
  const file =
    pathPart === ''
      ? join(ROOT, page)
      : resolve(ROOT, dirname(page), decodeURI(pathPart.split('?')[0]));
  const inRepo = relative(ROOT, file);
  if (inRepo.startsWith('..') || inRepo.startsWith(sep)) return 'outside the repository';
  if (IGNORED.some((ignored) => inRepo === ignored || inRepo.startsWith(`${ignored}/`)))
    return 'a path .gitignore keeps out of every clone';
  if (!existsSync(file)) return 'no such file';
  if (fragment && file.endsWith('.md') && !anchorsOf(readText(file)).has(fragment))
    return `no heading #${fragment} in ${relative(ROOT, file)}`;
  return null;
}

function linkProblems(): Problem[] {
  return PAGES.flatMap((page) =>
    linksOf(readText(join(ROOT, page))).flatMap(({ target, line }) => {
      const why = checkLink(page, target);
      return why ? [{ page, line, target, why }] : [];
    }),
  );
}

describe('documentation', () => {
  it('links, from README.md and every page in docs/, only to files of the repository that exist', () => {
    expect(linkProblems()).toEqual([]);
  });

  it('is reachable: README.md links docs/README.md, and docs/README.md links every page', () => {
    const targets = (page: string) =>
      linksOf(readText(join(ROOT, page))).map(({ target }) =>
        relative(ROOT, resolve(ROOT, dirname(page), target.split('#')[0])),
      );
    expect(targets('README.md')).toContain('docs/README.md');
    const index = new Set(targets('docs/README.md'));
    const pages = PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md');
    expect(pages.filter((page) => !index.has(page))).toEqual([]);
  });

  it('names every problem type in docs/errors.md, with its status and title', () => {
    const sections = sectionsOf(readText(join(DOCS, 'errors.md')));
    const missing = Object.values(AppErrorCode).flatMap((code) => {
      const slug = code.replace(/_/g, '-');
      const section = sections.get(slug);
      const { status, title } = ERROR_SPECS[code];
      const needs = [problemType(code), String(status), title];
      const absent =
        section === undefined
          ? [`a section "### ${slug}"`]
          : needs.filter((n) => !section.includes(n));
      return absent.map((what) => `${code}: ${what}`);
    });
    expect(missing).toEqual([]);
  });

  it('lists in docs/configuration.md every variable src/config reads, with its default and range', () => {
    const variables = envVariables(ROOT);
    // The extraction itself must work, or this test would pass on an empty list.
    expect(variables.map((v) => v.name)).toEqual(
      expect.arrayContaining(['PORT', 'JWT_ACCESS_TTL', 'REDIS_URL', 'NODE_ENV']),
    );
    const rows = new Map(
      tableRows(readText(join(DOCS, 'configuration.md'))).map((cells) => [
        cells[0],
        cells.join(' | '),
      ]),
    );
    const missing = variables.flatMap(({ name, fallback, range }) => {
      const row = rows.get(`\`${name}\``);
      if (row === undefined) return [`${name}: no table row`];
      const needs = [
        ...(fallback === undefined ? [] : [fallback]),
        ...(range ? [`${range.min}–${range.max}`] : []),
      ];
      return needs.filter((n) => !row.includes(n)).map((n) => `${name}: ${n}`);
    });
    expect(missing).toEqual([]);
  });

  it('lists in docs/tokens-and-sessions.md exactly the scopes of src/config/scopes.ts, and the role defaults', () => {
    const page = readText(join(DOCS, 'tokens-and-sessions.md'));
    const known = sectionsOf(page).get('Known scopes');
    expect(known).toBeDefined();
    const documented = tableRows(known ?? '')
      .map((cells) => cells[0])
      .filter((cell) => /^`[^`]+`$/.test(cell))
      .map((cell) => cell.slice(1, -1));
    expect(documented).toEqual([...KNOWN_SCOPES]);
    const roleRows = new Map(tableRows(page).map((cells) => [cells[0], cells[1] ?? '']));
    const defaults = Object.entries(ROLE_DEFAULT_SCOPES).map(([role, scopes]) => ({
      role,
      row: roleRows.get(`\`${role}\``),
      scopes: scopes.map((s) => `\`${s}\``).join(', '),
    }));
    expect(defaults.filter((d) => d.row !== d.scopes)).toEqual([]);
  });
});
