/** One mail's three parts, with `{{placeholder}}`s (see MailTemplates). */
export interface TemplateSource {
  subject: string;
  text: string;
  html: string;
}

/** What each mail may say and must say: a template override is checked against it at start-up. */
export interface TemplateSpec {
  placeholders: readonly string[];
  /** Placeholders the text and the html must both use (a mail without its link is useless). */
  required: readonly string[];
  builtIn: TemplateSource;
}

const layout = (body: string) =>
  [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5; color: #222">',
    body,
    '</body></html>',
    '',
  ].join('\n');

export const TEMPLATES = {
  // No {{username}}: whoever registers picks it, and the mail goes to an address they may not
  // own, so it would put an attacker's words into a mail sent in our name. It greets neutrally.
  'email-verification': {
    placeholders: ['link', 'expiresInHours', 'appUrl'],
    required: ['link'],
    builtIn: {
      subject: 'Confirm your email address',
      text: [
        'Hello,',
        '',
        'please confirm that this is your email address by opening this link:',
        '',
        '{{link}}',
        '',
        'The link works once and expires in {{expiresInHours}} hours.',
        'If you did not sign up at {{appUrl}}, ignore this mail.',
        '',
      ].join('\n'),
      html: layout(
        [
          '<p>Hello,</p>',
          '<p>please confirm that this is your email address:</p>',
          '<p><a href="{{link}}">Confirm my email address</a></p>',
          '<p>The link works once and expires in {{expiresInHours}} hours. If you did not sign',
          'up at {{appUrl}}, ignore this mail.</p>',
        ].join('\n'),
      ),
    },
  },
} as const satisfies Record<string, TemplateSpec>;

export type TemplateName = keyof typeof TEMPLATES;

/** The values a template is rendered with: exactly its placeholders. */
export type TemplateValues<N extends TemplateName> = Record<
  (typeof TEMPLATES)[N]['placeholders'][number],
  string
>;
