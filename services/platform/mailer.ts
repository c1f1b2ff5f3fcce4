/**
 * Sends mail over SMTP (nodemailer). The mailer knows no member: callers hand it
 * an address they own (only auth does, see services/auth/mail-delivery.ts).
 * nodemailer's own logging stays off, so no address reaches a log line.
 */
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** A stable Message-ID: the same notice sent twice is the same message to the server (Mailpit drops the copy). */
  messageId?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(options: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.smtpUrl, { logger: false, debug: false });
  return {
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, ...(mail.messageId ? { messageId: mail.messageId } : {}) });
    },
    close: () => transport.close(),
  };
}
