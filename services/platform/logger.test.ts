import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
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
  taskToken: 'CiQwMWEyMDFmNS0xNTBhLTdjNDgtYmJiNy05MjA1ZGJjY2Y5YTESKXJlbnQt',
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
        req: {
          method: 'POST',
          headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie, 'content-type': 'application/json' },
        },
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

  it("keeps an error's name (its type) and code, under err and error", () => {
    // Like Prisma's errors (and AppError), the name is an own field, so the error serializer copies it.
    class PrismaClientKnownRequestError extends Error {
      override name = 'PrismaClientKnownRequestError';
      code = 'P2002';
    }
    const { lines, logger } = capture();
    logger.error({ err: new PrismaClientKnownRequestError('Unique constraint failed') }, 'failed');
    logger.warn({ error: new AppError('EMAIL_TAKEN') }, 'Activity failed');
    const [prisma, app] = lines.map((line) => JSON.parse(line));
    expect(prisma.err).toMatchObject({ type: 'PrismaClientKnownRequestError', name: 'PrismaClientKnownRequestError', code: 'P2002' });
    expect(app.error).toMatchObject({ name: 'AppError', code: 'EMAIL_TAKEN' });
  });

  it("still redacts a member's name wherever it can be logged: signup body, application and credential rows, error details", () => {
    const member = SECRETS.name;
    const { lines, logger } = capture();
    logger.info({ name: member, body: { name: member, nickname: 'ann' }, signup: { application: { name: member } } }, 'signup');
    logger.info({ credentials: { memberId: 'm-1', name: member } }, 'credentials');
    logger.error({ err: Object.assign(new AppError('VALIDATION_FAILED'), { application: { name: member } }) }, 'failed');
    logger.warn({ error: Object.assign(new Error('failed'), { credentials: { name: member } }) }, 'Activity failed');
    // Not an error, so its name is not an error type.
    logger.error({ err: { name: member }, error: { name: member } }, 'odd');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).not.toContain(member);
    expect(JSON.parse(lines[2]!).err.name).toBe('AppError');
  });
});
