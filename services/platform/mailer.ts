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

/**
 * The SMTP URL with connection pooling on (`pool=true`) unless it says otherwise:
 * a notice per rent and return would otherwise open (and greet, and quit) a new
 * SMTP connection per mail. A pooled connection that breaks is replaced by the pool.
 */
export function pooledSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '2');
  return url.toString();
}

export function createMailer(options: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport({ url: pooledSmtpUrl(options.smtpUrl), logger: false, debug: false });
  return {
    async send(mail) {
      await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
      });
    },
    close: () => transport.close(),
  };
}
