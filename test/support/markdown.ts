import { readFileSync } from 'node:fs';

/** A link target as written in a Markdown file, and the line it is on. */
export interface MarkdownLink {
  target: string;
  line: number;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*)?\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const HTML_ATTRIBUTE = /\b(?:href|src)\s*=\s*["']([^"']*)["']/g;
const HTML_ANCHOR = /<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/g;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

/** The lines of a Markdown text outside fenced code blocks (code is never a link), numbered. */
function proseLines(text: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (FENCE.test(line)) fenced = !fenced;
    else if (!fenced) lines.push({ text: line, line: index + 1 });
  });
  return lines;
}

/** Inline code spans hold examples such as `[x](y)`: never links. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, '');
}

/** Every link target of a Markdown file: inline links, images, reference definitions, HTML. */
export function linksOf(text: string): MarkdownLink[] {
  return proseLines(text).flatMap(({ text: raw, line }) => {
    const prose = withoutCodeSpans(raw);
    const targets = [
      ...[...prose.matchAll(INLINE_LINK)].map((m) => m[1]),
      ...[...prose.matchAll(HTML_ATTRIBUTE)].map((m) => m[1]),
      ...(REFERENCE_DEFINITION.exec(prose)?.slice(1, 2) ?? []),
    ];
    return targets.map((target) => ({ target, line }));
  });
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, every character but letters,
 * digits, spaces, `-` and `_` dropped, spaces turned into `-`; repeats get `-1`, `-2`, …
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    for (const match of line.matchAll(HTML_ANCHOR)) anchors.add(match[1]);
    const heading = HEADING.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = headingText(heading)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** A heading as rendered: link targets, code and emphasis marks gone. */
export function headingText(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim();
}

/**
 * The sections of a Markdown text by heading: each heading's rendered text with everything up to
 * the next heading of the same or a higher level.
 */
export function sectionsOf(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const open: { title: string; level: number; lines: string[] }[] = [];
  const close = (level: number) => {
    while (open.length > 0 && open[open.length - 1].level >= level) {
      const done = open.pop()!;
      sections.set(done.title, done.lines.join('\n'));
    }
  };
  for (const { text: line } of proseLines(text)) {
    const level = /^\s{0,3}(#{1,6})\s/.exec(line)?.[1].length;
    const heading = HEADING.exec(line)?.[1];
    if (level !== undefined && heading !== undefined) {
      close(level);
      open.push({ title: headingText(heading), level, lines: [] });
    } else {
      for (const section of open) section.lines.push(line);
    }
  }
  close(1);
  return sections;
}

/** The rows of every Markdown table in `text`, each as its cells (trimmed). */
export function tableRows(text: string): string[][] {
  return proseLines(text)
    .map(({ text: line }) => line.trim())
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
