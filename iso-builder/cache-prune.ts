import fs from 'node:fs';
import path from 'node:path';

/** A cache entry's folder name: a 32-hex key (images, ISOs). */
const ENTRY = /^[0-9a-f]{32}$/;

/**
 * Marks a cache entry as used now, so pruning keeps the ones used last. A
 * cache this user may read but not write (read-only, another owner's) is
 * still used: only its pruning order is lost.
 */
export function markUsed(entry: string): void {
  const now = new Date();
  try {
    fs.utimesSync(entry, now, now);
  } catch (err) {
    if (!['EPERM', 'EACCES', 'EROFS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

/**
 * Removes all but the `keep` entries of a cache folder built or used last
 * (by the folder's time), never one `inUse` names. Anything else in the
 * folder (a build's .tmp, a stray file) is left to its owner.
 */
export function pruneCache(dir: string, keep: number, inUse: (entry: string) => boolean = () => false): string[] {
  const entries = fs
    .readdirSync(dir)
    .filter((n) => ENTRY.test(n))
    .map((n) => ({ dir: path.join(dir, n), at: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  const removed: string[] = [];
  for (const old of entries.slice(keep)) {
    if (inUse(old.dir)) continue;
    fs.rmSync(old.dir, { recursive: true, force: true });
    removed.push(old.dir);
  }
  return removed;
}
