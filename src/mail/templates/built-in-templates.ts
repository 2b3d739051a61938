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
  // No {{username}} either: anyone can ask for a reset mail to any address.
  'password-reset': {
    placeholders: ['link', 'expiresInMinutes', 'appUrl'],
    required: ['link'],
    builtIn: {
      subject: 'Reset your password',
      text: [
        'Hello,',
        '',
        'someone asked to reset the password of the account with this email address at',
        '{{appUrl}}. To choose a new password, open this link:',
        '',
        '{{link}}',
        '',
        'The link works once and expires in {{expiresInMinutes}} minutes. Setting a new password',
        'signs you out everywhere. If you did not ask for this, ignore this mail: your password',
        'stays as it is.',
        '',
      ].join('\n'),
      html: layout(
        [
          '<p>Hello,</p>',
          '<p>someone asked to reset the password of the account with this email address at',
          '{{appUrl}}. To choose a new password:</p>',
          '<p><a href="{{link}}">Reset my password</a></p>',
          '<p>The link works once and expires in {{expiresInMinutes}} minutes. Setting a new',
          'password signs you out everywhere. If you did not ask for this, ignore this mail: your',
          'password stays as it is.</p>',
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
