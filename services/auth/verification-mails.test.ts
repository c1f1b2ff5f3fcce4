import { describe, expect, it } from 'vitest';
import { addressTakenMail, confirmationMail } from './verification-mails.ts';

describe('signup mails', () => {
  it('the confirmation mail carries the link and how long it works', () => {
    const mail = confirmationMail('Ann', 'http://127.0.0.1:3000/signups/x/verify?token=t', 86_400);
    expect(mail.text).toContain('http://127.0.0.1:3000/signups/x/verify?token=t');
    expect(mail.text).toContain('for 1 day');
    expect(confirmationMail('Ann', 'l', 45).text).toContain('for 45 seconds');
  });

  it('an address with an account gets the same subject, no link', () => {
    const taken = addressTakenMail('Ann', 'http://127.0.0.1:3000');
    expect(taken.subject).toBe(confirmationMail('Ann', 'l', 60).subject);
    expect(taken.text).toContain('already has an account');
    expect(taken.text).not.toContain('verify?token=');
  });
});
