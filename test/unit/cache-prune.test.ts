import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { markUsed, pruneCache } from '../../iso-builder/cache-prune.ts';

describe('the build cache keeps the entries built or used last', () => {
  let dir: string;
  /** An entry (a 32-hex folder with a file in it), dated `minutesAgo`. */
  const entry = (n: number, minutesAgo: number) => {
    const e = path.join(dir, n.toString(16).padStart(32, '0'));
    fs.mkdirSync(e);
    fs.writeFileSync(path.join(e, 'kubedos.iso'), 'x');
    const at = new Date(Date.now() - minutesAgo * 60_000);
    fs.utimesSync(e, at, at);
    return e;
  };
  const left = () => fs.readdirSync(dir).sort();
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-cache-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes all but the newest, never one in use, and nothing that is not an entry', () => {
    const oldest = entry(1, 50);
    const inUse = entry(2, 40);
    const middle = entry(3, 30);
    const newer = entry(4, 20);
    const newest = entry(5, 10);
    fs.mkdirSync(path.join(dir, `.${'f'.repeat(32)}.123.tmp`));
    fs.writeFileSync(path.join(dir, 'notes'), '');
    // The oldest is used again now: it counts as the newest.
    markUsed(oldest);
    const removed = pruneCache(dir, 3, (e) => e === inUse);
    assert.deepEqual(removed, [middle]);
    assert.deepEqual(
      left(),
      [`.${'f'.repeat(32)}.123.tmp`, ...[oldest, inUse, newer, newest].map((e) => path.basename(e)), 'notes'].sort(),
    );
  });
});
