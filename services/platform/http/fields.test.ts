import { describe, expect, it } from 'vitest';
import {
  EMAIL_PATTERN,
  PLAIN_PATTERN,
  TEXT_PATTERN,
  ZCalendarDate,
  ZEmail,
  ZId,
  integerParam,
  passwordString,
  sizedString,
  text,
} from './fields.ts';

const title = text({ max: 10 });
const issues = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((issue) => issue.message) ?? [];

describe('text fields', () => {
  it('refuse every control character, NUL among them, anywhere in the value', () => {
    for (const code of [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x85, 0x9f]) {
      const control = String.fromCharCode(code);
      for (const value of [`${control}ab`, `a${control}b`, `ab${control}`]) {
        const result = title.safeParse(value);
        expect(result.success, JSON.stringify(value)).toBe(false);
        expect(issues(result)).toEqual(['must contain a visible character and no control characters']);
      }
    }
  });

  it('refuse blank values and trim the surrounding blanks of the others', () => {
    for (const blank of ['', ' ', '\u00a0\u3000', '\ufeff ']) expect(title.safeParse(blank).success, JSON.stringify(blank)).toBe(false);
    expect(title.parse('  Dune \u00a0')).toBe('Dune');
    expect(title.parse('é ü 書 😀')).toBe('é ü 書 😀');
  });

  it('count characters, not UTF-16 units, and the value as sent', () => {
    expect(title.safeParse('😀'.repeat(10)).success).toBe(true); // 20 UTF-16 units
    expect(issues(title.safeParse('😀'.repeat(11)))).toEqual(['at most 10 characters']);
    expect(title.safeParse(' abcdefghij').success).toBe(false); // 11 as sent, 10 once trimmed
  });

  it('agree with their pattern, as the OpenAPI document states it', () => {
    const pattern = new RegExp(TEXT_PATTERN);
    for (const value of ['a', ' a ', 'a\u0000', '\u3000', ' ', 'x y', '\u0085', 'a\u2028b', '\ufeffa']) {
      expect(title.safeParse(value).success, JSON.stringify(value)).toBe(pattern.test(value));
    }
  });

  it('check a long value in linear time (no backtracking)', () => {
    const started = performance.now();
    expect(
      sizedString({ max: 100_000 })
        .regex(new RegExp(TEXT_PATTERN))
        .safeParse(`${'a'.repeat(60_000)}\u0000`).success,
    ).toBe(false);
    expect(
      sizedString({ max: 100_000 })
        .regex(new RegExp(TEXT_PATTERN))
        .safeParse(`${' '.repeat(60_000)}\u0000`).success,
    ).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('other shared fields', () => {
  it('passwords refuse control characters but keep blanks', () => {
    const secret = passwordString({ min: 8, max: 20 });
    expect(secret.parse('  spaced out  ')).toBe('  spaced out  ');
    expect(secret.safeParse('password\u0000').success).toBe(false);
    expect(new RegExp(PLAIN_PATTERN).test('password\u0000')).toBe(false);
  });

  it('emails follow the documented pattern and are stored lower-case', () => {
    expect(ZEmail.parse('Ann.Lee@Example.COM')).toBe('ann.lee@example.com');
    for (const bad of ['ann', 'ann@', 'ann@example', '.ann@example.com', 'ann@example.c', 'a\u0000@example.com']) {
      expect(ZEmail.safeParse(bad).success, bad).toBe(false);
      expect(new RegExp(EMAIL_PATTERN).test(bad), bad).toBe(false);
    }
  });

  it('integer parameters take decimal digits only', () => {
    const bookNo = integerParam({ min: 1, max: 2_147_483_647 });
    expect(bookNo.parse('42')).toBe(42);
    expect(bookNo.parse('007')).toBe(7);
    for (const bad of ['', ' 1', '1e0', '0x1', '1.0', '0', '-1', '2147483648', 'NaN'])
      expect(bookNo.safeParse(bad).success, bad).toBe(false);
  });

  it('dates are real calendar dates from year 0001 (PostgreSQL has no year 0)', () => {
    for (const good of ['0001-01-01', '1990-04-01', '2024-02-29', '2000-02-29', '9999-12-31'])
      expect(ZCalendarDate.safeParse(good).success, good).toBe(true);
    for (const bad of [
      '0000-01-01',
      '0000-02-29',
      '2023-02-29',
      '1900-02-29',
      '1990-13-01',
      '1990-1-01',
      ' 1990-01-01',
      '1000-',
      '１９９０-01-01',
    ])
      expect(ZCalendarDate.safeParse(bad).success, bad).toBe(false);
    // Every leap day agrees with the calendar.
    for (let year = 1; year <= 2400; year++) {
      const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
      expect(ZCalendarDate.safeParse(`${String(year).padStart(4, '0')}-02-29`).success, String(year)).toBe(leap);
    }
  });

  it('ids in paths take any 8-4-4-4-12 hex string, as `format: uuid` does', () => {
    expect(ZId.safeParse('12345678-1234-0234-1234-123456789ABC').success).toBe(true);
    expect(ZId.safeParse('12345678-1234-0234-1234-12345678901Z').success).toBe(false);
  });
});
