/**
 * Errors are values with codes. Domain code throws `AppError(code)`; the HTTP
 * layer maps codes to statuses with `HTTP_STATUS`; activities turn them into
 * non-retryable Temporal failures carrying the same code.
 */
export const ERROR_CODES = {
  /** A request body, query, path or header failed its zod schema. */
  VALIDATION_FAILED: 400,
  /** No or invalid bearer token. */
  UNAUTHORIZED: 401,
  /** Login with an unknown email or a wrong password (same answer for both). */
  INVALID_CREDENTIALS: 401,
  /** The token is valid but the caller may not do this. */
  FORBIDDEN: 403,
  /** The id names nothing the caller may see. */
  NOT_FOUND: 404,
  /** A known path asked with a method it does not take; `Allow` lists the ones it does. */
  METHOD_NOT_ALLOWED: 405,
  /** Signup: the email already has credentials. */
  EMAIL_TAKEN: 409,
  /** Signup: another member has this nickname. */
  NICKNAME_TAKEN: 409,
  /** Signup: only USER and PARTNER may sign up. */
  INVALID_ROLE: 422,
  /** Signup: the staged application was removed before credentials were made. */
  SIGNUP_EXPIRED: 410,
  /** Signup confirmation: the link's token does not match (or names no signup). */
  VERIFICATION_TOKEN_INVALID: 404,
  /** Signup confirmation: the address was confirmed already. */
  ALREADY_CONFIRMED: 409,
  /** Signup confirmation: the link came too late; the signup was undone (also the saga's failure code). */
  VERIFICATION_EXPIRED: 410,
  /** Rent: no book has this number. */
  BOOK_NOT_FOUND: 404,
  /** Rent: the book is RENTED by someone else. */
  BOOK_NOT_AVAILABLE: 409,
  /** Rent, edit, withdraw: the book was withdrawn from the catalog (for good). */
  BOOK_WITHDRAWN: 409,
  /** Withdraw: the book is out on loan; it must come back first. */
  BOOK_RENTED: 409,
  /** Rent: the member already holds this book. */
  ALREADY_HOLDING_BOOK: 409,
  /** Rent: the member holds the maximum number of books (5). */
  RENTAL_LIMIT_REACHED: 409,
  /** Rent: the rental card is suspended (an overdue loan or unpaid late fee). */
  CARD_SUSPENDED: 409,
  /** Rent, return, clear: the member has no rental card. */
  NO_RENTAL_CARD: 404,
  /** Rent: the member's card was closed by erasure; it takes no more books. */
  CARD_CLOSED: 409,
  /** Rent: the saga already undid this rental; a step attempt that lands after its undo adds nothing. */
  RENTAL_CANCELLED: 409,
  /** Return: the member does not hold this book. */
  NOT_RENTED: 409,
  /** Clear overdue: an overdue book is still out. */
  OVERDUE_BOOK_OUT: 409,
  /** Clear overdue: there is no late fee and no suspension to clear. */
  NOTHING_TO_CLEAR: 409,
  /** Clear overdue: the member's points do not cover the late fee. */
  INSUFFICIENT_POINTS: 409,
  /** Fee settlement: the points offered exceed the fee owed. */
  POINTS_EXCEED_FEE: 422,
  /** Erasure: the member still holds books; they must come back first. */
  MEMBER_HOLDS_BOOKS: 409,
  /** An Idempotency-Key the caller already used with a different body. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** Test-only fault injection fired (never in production). */
  INJECTED_FAULT: 500,
  /** The body is larger than the API accepts. */
  PAYLOAD_TOO_LARGE: 413,
  /** The body's Content-Type is not one the route reads (application/json for the JSON API). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Login: too many failures for this email or from this address; signup: too many from this address. `Retry-After` says when to try again. */
  RATE_LIMITED: 429,
  /** As many password hashes as this process runs at once are running, and as many wait; `Retry-After` says when to try again. */
  SERVER_BUSY: 503,
  /** A dependency (database, Temporal, Kafka) is unreachable. */
  SERVICE_UNAVAILABLE: 503,
  /** Anything unexpected; details are logged, never returned. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

/** A refusal that passes with time: the answer carries `Retry-After`. */
export class RetryLaterError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERROR_CODES;
}
