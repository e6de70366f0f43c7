import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until the condition holds; the deadline is an error naming what was awaited. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
