import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/** A command-line duration (90s, 15m, 2h) in milliseconds, at least a second. */
export function duration(v: string): number {
  const n = ms(v as ms.StringValue);
  if (typeof n !== 'number' || !(n >= 1000)) throw new InvalidArgumentError('a duration such as 90s, 15m or 2h');
  return n;
}
