import fs from 'node:fs';
import { UserError } from '../shared/errors.ts';

/** Refuses to start writing ISOs that cannot fit: a full disk mid-build would only waste the time spent so far. */
export function checkDiskSpace(dir: string, needed: number): void {
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  if (free < needed) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
    throw new UserError(`not enough disk space in ${dir}: the ISOs need about ${gib(needed)}, ${gib(free)} is free`);
  }
}
