/**
 * Exponential backoff with full jitter, so a fleet that lost its hub at the
 * same moment does not come back at the same moment.
 */
export class Backoff {
  #attempt = 0;
  readonly #minMs: number;
  readonly #maxMs: number;

  constructor(minMs = 500, maxMs = 30_000) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
  }

  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#minMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.max(this.#minMs / 2, Math.random() * ceiling);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Sleeps, but wakes at once when the signal aborts (shutdown must not wait out a backoff). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
