import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailConfig, MailConfig } from '../config/configuration';
import { EnvError } from '../config/env.parsers';
import { MailMessage } from './mail-message';
import {
  TEMPLATES,
  TemplateName,
  TemplateSource,
  TemplateSpec,
  TemplateValues,
} from './templates/built-in-templates';

const PART_FILES: Record<keyof TemplateSource, string> = {
  subject: 'subject.txt',
  text: 'txt',
  html: 'html',
};
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The mails' templates: the built-in ones, each part replaced by a file of MAIL_TEMPLATES_DIR
 * when there is one (`email-verification.subject.txt`, `.txt`, `.html`). Read and checked once at
 * start-up: an override using an unknown placeholder, or missing a required one, stops start-up
 * with one line. Rendering is plain `{{name}}` substitution; values are HTML-escaped in the html
 * part and stripped of line breaks in the subject, so no value can add markup or a header.
 */
@Injectable()
export class MailTemplates {
  private readonly sources: Record<TemplateName, TemplateSource>;

  constructor(@Inject(mailConfig.KEY) mail: MailConfig) {
    const entries = Object.entries(TEMPLATES) as [TemplateName, TemplateSpec][];
    this.sources = Object.fromEntries(
      entries.map(([name, spec]) => [name, loadTemplate(name, spec, mail.templatesDir)]),
    ) as Record<TemplateName, TemplateSource>;
  }

  render<N extends TemplateName>(name: N, to: string, values: TemplateValues<N>): MailMessage {
    const source = this.sources[name];
    const all = values as Record<string, string>;
    return {
      to,
      subject: fill(source.subject, all, (v) => v.replace(/[\r\n]+/g, ' ')).trim(),
      text: fill(source.text, all, (v) => v),
      html: fill(source.html, all, escapeHtml),
    };
  }
}

function loadTemplate(name: string, spec: TemplateSpec, dir: string | null): TemplateSource {
  const parts = Object.keys(PART_FILES) as (keyof TemplateSource)[];
  return Object.fromEntries(
    parts.map((part) => {
      const file = dir === null ? null : join(dir, `${name}.${PART_FILES[part]}`);
      if (file === null || !existsSync(file)) return [part, spec.builtIn[part]];
      const source = readFileSync(file, 'utf8');
      checkPlaceholders(`${name}.${PART_FILES[part]}`, source, spec, part !== 'subject');
      return [part, source];
    }),
  ) as unknown as TemplateSource;
}

function checkPlaceholders(file: string, source: string, spec: TemplateSpec, body: boolean) {
  for (const [, used] of source.matchAll(PLACEHOLDER)) {
    if (!spec.placeholders.includes(used)) {
      throw new EnvError(
        'MAIL_TEMPLATES_DIR',
        `${file} uses {{${used}}}; known: ${spec.placeholders.map((p) => `{{${p}}}`).join(' ')}`,
      );
    }
  }
  const names = new Set([...source.matchAll(PLACEHOLDER)].map((m) => m[1]));
  const missing = body ? spec.required.filter((r) => !names.has(r)) : [];
  if (missing.length > 0) {
    throw new EnvError('MAIL_TEMPLATES_DIR', `${file} must use {{${missing.join('}}, {{')}}}`);
  }
}

function fill(source: string, values: Record<string, string>, encode: (v: string) => string) {
  return source.replace(PLACEHOLDER, (_, name: string) => encode(values[name] ?? ''));
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
