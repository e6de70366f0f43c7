import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../shared/errors.ts';

/** How a wait asks, how often, for how long, and what ends it early. */
export interface Poll<T> {
  /** What is awaited, for the deadline's message ("the hub in the master VM"). */
  what: string;
  /** The awaited thing once it is there, else undefined; a probe that throws counts as not yet. */
  probe: () => T | undefined | Promise<T | undefined>;
  /** Pause between probes; a function of the attempt number for a backoff. */
  everyMs: number | ((attempt: number) => number);
  /** Deadline from the first probe (Infinity: none). */
  withinMs: number;
  /** The operator's ^C: ends the wait with "interrupted". */
  signal?: AbortSignal;
  /** Why the wait can never end (the VM stopped, a node refused): thrown at once, checked before each probe. */
  stopped?: () => Error | string | undefined;
  /** The error at the deadline; default "WHAT did not answer within N s". */
  late?: () => Error;
  /** Probe errors end the wait instead of counting as not yet. */
  probeErrorsEnd?: boolean;
}

/**
 * The one wait every substrate uses: probe until the thing is there, a
 * reason says it never will be, the deadline passes, or the operator
 * interrupts. Readiness is what the system itself answers, never a sleep.
 */
export async function pollUntil<T>(p: Poll<T>): Promise<T> {
  const deadline = Date.now() + p.withinMs;
  for (let attempt = 0; ; attempt++) {
    if (p.signal?.aborted) throw new UserError('interrupted');
    const stop = p.stopped?.();
    if (stop !== undefined) throw typeof stop === 'string' ? new UserError(stop) : stop;
    const value = await Promise.resolve()
      .then(p.probe)
      .catch((err: unknown) => {
        if (p.probeErrorsEnd) throw err;
        return undefined;
      });
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw p.late?.() ?? new UserError(`${p.what} did not answer within ${seconds(p.withinMs)}`);
    await sleep(typeof p.everyMs === 'number' ? p.everyMs : p.everyMs(attempt));
  }
}

/** A doubling pause from `firstMs` up to `maxMs`, for pollUntil's everyMs. */
export function backoff(firstMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 20));
}

function seconds(ms: number): string {
  return ms >= 120_000 && ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} s`;
}
