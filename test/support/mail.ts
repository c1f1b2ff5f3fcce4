/** The test stack's Mailpit, through its JSON API: the mails a member received, and the signup confirmation link in one. */
import { inject } from 'vitest';

export interface MailSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string }[];
  Created: string;
}

const mailpit = () => inject('stack').mailpitUrl;

/** Every mail sent to the address, newest first. */
export async function mailsTo(address: string): Promise<MailSummary[]> {
  const url = `${mailpit()}/api/v1/search?limit=200&query=${encodeURIComponent(`to:"${address}"`)}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Mailpit search answered ${response.status}`);
  const { messages } = (await response.json()) as { messages: MailSummary[] };
  // The search matches words; keep the exact recipient.
  return messages.filter((message) => message.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()));
}

export async function mailText(id: string): Promise<string> {
  const response = await fetch(`${mailpit()}/api/v1/message/${id}`);
  if (!response.ok) throw new Error(`Mailpit message answered ${response.status}`);
  return ((await response.json()) as { Text: string }).Text;
}

/** Waits for a mail to the address whose subject matches, and returns it with its text. */
export async function awaitMail(address: string, subject: RegExp, timeoutMs = 60_000): Promise<MailSummary & { text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = (await mailsTo(address)).find((message) => subject.test(message.Subject));
    if (mail) return { ...mail, text: await mailText(mail.ID) };
    if (Date.now() > deadline) throw new Error(`no mail to ${address} matching ${subject} within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const LINK_PATTERN = /(https?:\/\/[^\s/]+)(\/signups\/([0-9a-f-]{36})\/verify\?token=([\w-]+))/;

/**
 * The confirmation link mailed to the address (for `signupId` when given: one
 * address may have several signups' mails): the full URL, its path, the signup id and the token.
 */
export async function confirmationLink(
  address: string,
  signupId?: string,
  timeoutMs = 60_000,
): Promise<{ url: string; path: string; signupId: string; token: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const mail of (await mailsTo(address)).filter((message) => /^Confirm your address/.test(message.Subject))) {
      const match = LINK_PATTERN.exec(await mailText(mail.ID));
      if (match && (!signupId || match[3] === signupId)) return { url: match[0], path: match[2]!, signupId: match[3]!, token: match[4]! };
    }
    if (Date.now() > deadline)
      throw new Error(`no confirmation link${signupId ? ` for signup ${signupId}` : ''} mailed to ${address} within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
