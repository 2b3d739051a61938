import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectRootLogger } from '../common/logging/root-logger';
import { mailConfig, MailConfig } from '../config/configuration';
import { MailQueue } from './mail-queue';
import { MailTemplates } from './mail-templates';
import { TemplateName, TemplateValues } from './templates/built-in-templates';

/** What the flows call: renders a template and queues the mail; never waits, never throws. */
@Injectable()
export class Mailer {
  private readonly logger: Logger;

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    private readonly templates: MailTemplates,
    private readonly queue: MailQueue,
    @InjectRootLogger() root: Logger,
  ) {
    this.logger = root.child({ context: 'Mail' });
  }

  /**
   * A link into the web app: APP_URL (configured, never a request's Host header, which a client
   * writes) plus `path` and `query`. A token belongs in `query`; the link is never logged.
   */
  link(path: string, query: Record<string, string>): string {
    const url = new URL(this.config.appUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  }

  get appUrl(): string {
    return this.config.appUrl;
  }

  /** Queues `template` for `to`; false when the mail was dropped (already logged and audited). */
  send<N extends TemplateName>(
    template: N,
    to: { email: string; userId: string | null },
    values: TemplateValues<N>,
  ): boolean {
    try {
      const message = this.templates.render(template, to.email, values);
      return this.queue.enqueue({ message, kind: template, userId: to.userId });
    } catch (error) {
      // A defect in rendering must not fail the request that caused the mail either.
      const reason = error instanceof Error ? error.name : 'unknown error';
      this.logger.error({ mail: template, userId: to.userId, reason }, 'Mail not rendered');
      return false;
    }
  }
}
