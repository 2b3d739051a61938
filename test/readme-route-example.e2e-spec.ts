import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { readText } from './support/markdown';

/**
 * The README's "Adding a protected route" example is code people copy: it must compile as
 * written, against the real decorators and types. The example lives, for the compiler, in a
 * feature folder of its own under src/ (never written to disk); the two files it imports that a
 * reader writes themselves (its DTO and service) are given here with the shapes it uses.
 */
const ROOT = resolve(__dirname, '..');
const FEATURE = join(ROOT, 'src', 'readme-example');

const READERS_OWN: Record<string, string> = {
  'dto/report.dto.ts': 'export class ReportDto {\n  id!: string;\n}\n',
  'reports.service.ts': [
    "import { ReportDto } from './dto/report.dto';",
    'export class ReportsService {',
    '  forUser(_userId: string): Promise<ReportDto[]> {',
    '    return Promise.resolve([]);',
    '  }',
    '  all(): Promise<ReportDto[]> {',
    '    return Promise.resolve([]);',
    '  }',
    '}',
  ].join('\n'),
};

/** The first ```ts block of the README section "Adding a protected route", or null. */
function readmeExample(): string | null {
  const readme = readText(join(ROOT, 'README.md'));
  const start = readme.indexOf('\n## Adding a protected route\n');
  if (start < 0) return null;
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const block = /\n\s*```ts\n([\s\S]*?)\n\s*```/.exec(section);
  // Code in a numbered list is indented: take the indentation of its first line off every line.
  const indent = block ? /^ */.exec(block[1])![0].length : 0;
  return block ? block[1].replace(new RegExp(`^ {0,${indent}}`, 'gm'), '') : null;
}

/** The folders above `path`, up to the project root. */
function ancestorsOf(path: string): string[] {
  const up = dirname(path);
  return up.length <= ROOT.length ? [] : [up, ...ancestorsOf(up)];
}

/** Type-checks `files` (absolute path → source) with the project's tsconfig; their diagnostics. */
function typeCheck(files: Map<string, string>): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options = { ...parsed.options, noEmit: true, incremental: false };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const dirs = new Set([...files.keys()].flatMap((path) => ancestorsOf(path)));
  host.fileExists = (path) => files.has(path) || ts.sys.fileExists(path);
  host.directoryExists = (path) => dirs.has(path) || ts.sys.directoryExists(path);
  host.readFile = (path) => files.get(path) ?? ts.sys.readFile(path);
  host.getSourceFile = (path, language, ...rest) => {
    const text = files.get(path);
    return text === undefined
      ? getSourceFile(path, language, ...rest)
      : ts.createSourceFile(path, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const diagnostics = [...files.keys()].flatMap((path) => {
    const file = program.getSourceFile(path);
    return file
      ? [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
      : [];
  });
  return diagnostics.map((d) => {
    const where = d.file
      ? `${relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('README "Adding a protected route"', () => {
  it('compiles as written against the real decorators and types', () => {
    const example = readmeExample();
    expect(example).toEqual(expect.stringContaining('@Authorize('));
    const files = new Map(
      Object.entries(READERS_OWN).map(([path, text]) => [join(FEATURE, path), text]),
    );
    files.set(join(FEATURE, 'reports.controller.ts'), example ?? '');
    expect(typeCheck(files)).toEqual([]);
  });
});
