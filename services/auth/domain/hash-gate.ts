import { RetryLaterError } from '../../platform/errors.ts';

export interface HashGateLimits {
  /** Password hashes (scrypt, 32 MiB and ~100 ms of a core each) running at once in this process. */
  concurrency: number;
  /** Hashes waiting for a place; one more is refused with 503 SERVER_BUSY. */
  queue: number;
}

/** The defaults: Node runs scrypt on its 4 libuv threads, so a fifth would only wait anyway. */
export const HASH_GATE_LIMITS: HashGateLimits = { concurrency: 4, queue: 32 };

/**
 * Caps the password hashes running at once in this process, with a short
 * queue behind them; past both, the request is refused at once instead of
 * piling up memory and latency (signups, logins and the decoy hash alike).
 */
export class HashGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(public limits: HashGateLimits = HASH_GATE_LIMITS) {}

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.#running < this.limits.concurrency) this.#running++;
    else if (this.#waiting.length < this.limits.queue) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else throw new RetryLaterError('SERVER_BUSY', 'too many password checks are running; try again in a second', 1);
    try {
      return await hash();
    } finally {
      const next = this.#waiting.shift();
      if (next)
        next(); // its place passes on: `running` stays the same
      else this.#running--;
    }
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }
}
