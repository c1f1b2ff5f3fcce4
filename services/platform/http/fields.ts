/**
 * Field schemas shared by every route, written so that the OpenAPI document
 * states exactly what validation enforces: a client (or a fuzzer) that obeys
 * the document is never refused, one that breaks it always is.
 *
 * - Lengths count characters (code points), as JSON Schema's minLength and
 *   maxLength do; JavaScript's `length` counts UTF-16 units, so an emoji would
 *   count twice.
 * - Patterns are written so both JavaScript and the document's readers
 *   (JSON Schema validators in other languages) read them alike, and in one
 *   regex per field: the document generator keeps only the first one.
 */
import { z } from '@hono/zod-openapi';

/** C0 and C1 control characters (NUL among them; PostgreSQL refuses NUL in text). No text field takes them. */
const CONTROL = '\\u0000-\\u001F\\u007F-\\u009F';
/** The whitespace `String.prototype.trim` removes, besides the control characters refused anyway. */
const SPACE = ' \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';

/**
 * Not blank, no control characters. Leading blanks, then one visible character,
 * then anything but control characters: the classes do not overlap, so the
 * match is linear (no backtracking on long input).
 */
export const TEXT_PATTERN = `^[${SPACE}]*[^${CONTROL}${SPACE}][^${CONTROL}]*$`;
const TEXT = new RegExp(TEXT_PATTERN);

/** Characters (code points), not UTF-16 units. */
export const characterCount = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/** A string of `min`..`max` characters (code points), as the document's minLength/maxLength read. */
export function sizedString(options: { min?: number; max: number }) {
  const { min = 0, max } = options;
  return z
    .string()
    .refine((value) => characterCount(value) <= max, { message: `at most ${max} characters`, abort: true })
    .refine((value) => characterCount(value) >= min, { message: `at least ${min} characters`, abort: true })
    .openapi({ maxLength: max, ...(min > 0 ? { minLength: min } : {}) });
}

/**
 * A text field (a name, a title): at most `max` characters as sent, not blank,
 * no control characters (400 VALIDATION_FAILED naming the field); surrounding
 * blanks are trimmed before it is used.
 */
export function text(options: { max: number }) {
  return sizedString({ max: options.max })
    .regex(TEXT, 'must contain a visible character and no control characters')
    .trim()
    .openapi({ pattern: TEXT_PATTERN });
}

/** No control characters, blank allowed, nothing trimmed: for secrets such as passwords. */
export const PLAIN_PATTERN = `^[^${CONTROL}]*$`;
const PLAIN = new RegExp(PLAIN_PATTERN);

/** A password: `min`..`max` characters, no control characters (kept exactly as sent). */
export function passwordString(options: { min: number; max: number }) {
  return sizedString(options).regex(PLAIN, 'must not contain control characters').openapi({ pattern: PLAIN_PATTERN });
}

/** The email addresses the API takes (zod's practical email rule, in the document as a pattern), stored lower-case. */
export const EMAIL_PATTERN =
  "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+\\-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$";
export const ZEmail = sizedString({ max: 254 })
  .regex(new RegExp(EMAIL_PATTERN), 'an email address')
  .toLowerCase()
  .openapi({ pattern: EMAIL_PATTERN, example: 'ann@example.com' });

/**
 * An integer in a path or query string: decimal digits only, read as a number
 * and held to `min`..`max` (`Number()` would also take " 1", "1e0" or "0x1",
 * which the document's `type: integer` does not).
 */
export function integerParam(options: { min: number; max: number }) {
  const { min, max } = options;
  return z
    .string()
    .regex(/^-?[0-9]+$/, 'an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max });
}

/** A book number (PostgreSQL int4, from 1). */
export const ZBookNo = integerParam({ min: 1, max: 2_147_483_647 });

/**
 * An id in a path: any 8-4-4-4-12 hex string, as the document states it (the
 * pattern; `format: uuid` is only an annotation), where zod's `uuid()` would
 * also check version and variant bits; one that names nothing answers 404.
 */
export const ID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const ZId = z.guid().openapi({ pattern: ID_PATTERN });

/** Years 0001-9999: PostgreSQL's date type has no year 0. */
const YEAR = '(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])';
/** Leap years among them (Gregorian: by 4, not by 100 unless by 400). */
const LEAP_YEAR = '(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26]|0[48])00)';
/**
 * A calendar date, YYYY-MM-DD, as one pattern: `format: date` is only an
 * annotation in JSON Schema 2020-12, so the pattern is what the document
 * asserts. ASCII classes only (`\d` is any Unicode digit to other engines).
 */
export const CALENDAR_DATE_PATTERN = `^(?:${LEAP_YEAR}-02-29|${YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))$`;

export const ZCalendarDate = z
  .string()
  .regex(new RegExp(CALENDAR_DATE_PATTERN), 'a date, YYYY-MM-DD, from year 0001')
  .openapi({ format: 'date', pattern: CALENDAR_DATE_PATTERN, example: '1990-04-01' });

/**
 * A token sent in a header (an Idempotency-Key): printable ASCII without
 * surrounding blanks, which HTTP would strip on the way (so a value's length
 * would not be the one sent).
 */
export const HEADER_TOKEN_PATTERN = '^[!-~](?:[ -~]*[!-~])?$';
export function headerToken(options: { max: number }) {
  return sizedString({ min: 1, max: options.max })
    .regex(new RegExp(HEADER_TOKEN_PATTERN), 'printable ASCII, no surrounding blanks')
    .openapi({ pattern: HEADER_TOKEN_PATTERN });
}
