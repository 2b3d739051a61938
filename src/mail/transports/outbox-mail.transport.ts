import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { uuidv7 } from '../../common/crypto/ids';
import { MailMessage } from '../mail-message';
import { MailTransport } from '../mail-transport';

/**
 * Development without SMTP_URL: each mail is composed exactly as SMTP would send it and written
 * to `<dir>/<uuidv7>.eml` (open it in a mail client). Names sort by creation.
 */
export class OutboxMailTransport implements MailTransport {
  private readonly composer: Transporter;

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {
    this.composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.composer.sendMail({ from: this.from, ...message })) as {
      message: Buffer;
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // 0600: the mails hold single-use links.
    await writeFile(join(this.dir, `${uuidv7()}.eml`), info.message, { mode: 0o600 });
  }

  close(): void {
    this.composer.close();
  }
}
