import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'info', destination }) };
}

const SECRETS = {
  password: 'hunter2-secret-password',
  passwordHash: 'scrypt$32768$8$1$salt$key',
  token: 'eyJhbGciOiJIUzI1NiJ9.payload.signature',
  email: 'ann.reader@example.com',
  phone: '+49 170 1234567',
  name: 'Ann Reader',
  birthDate: '1990-04-01',
  authorization: 'Bearer eyJ.secret.jwt',
  cookie: 'codec_session=eyJ.session.jwt',
};

describe('log redaction', () => {
  it('redacts personal data and credentials at the top level, one and two levels deep, and in request headers', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        ...SECRETS,
        requestId: 'r-1',
        memberId: 'm-1',
        body: { ...SECRETS, nickname: 'ann' },
        req: { method: 'POST', headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie, 'content-type': 'application/json' } },
        headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie },
        signup: { application: { ...SECRETS } },
      },
      'request',
    );
    const line = lines.join('');
    for (const [field, secret] of Object.entries(SECRETS)) expect(line, field).not.toContain(secret);
    const parsed = JSON.parse(line);
    expect(parsed.password).toBe('[redacted]');
    expect(parsed.body.email).toBe('[redacted]');
    expect(parsed.req.headers.authorization).toBe('[redacted]');
    expect(parsed.req.headers.cookie).toBe('[redacted]');
    expect(parsed.signup.application.phone).toBe('[redacted]');
    // What is needed to follow a request stays.
    expect(parsed).toMatchObject({ requestId: 'r-1', memberId: 'm-1', msg: 'request', body: { nickname: 'ann' } });
    expect(parsed.req.headers['content-type']).toBe('application/json');
  });

  it('redacts inside logged errors too', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('signup failed'), { email: SECRETS.email, details: { phone: SECRETS.phone } });
    logger.error({ err: error }, 'failed');
    expect(lines.join('')).not.toContain(SECRETS.email);
    expect(lines.join('')).not.toContain(SECRETS.phone);
    expect(lines.join('')).toContain('signup failed');
  });
});
