import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { SEA_TARGETS } from '../../scripts/sea/targets.ts';
import { buildAgain, buildOnce } from './built-executables.ts';

describe('single executables: reproducible build', function () {
  this.timeout(15 * 60_000);

  it('builds the same bytes twice from the same commit, into different directories', async () => {
    const first = await buildOnce();
    const second = await buildAgain();
    assert.deepEqual(
      first.map((b) => b.name),
      SEA_TARGETS.map((t) => t.name),
    );
    for (const [i, a] of first.entries()) {
      const b = second[i]!;
      assert.notEqual(a.path, b.path);
      // Hash the files again: the result records what was written, this checks what is on disk.
      const onDisk = createHash('sha256').update(fs.readFileSync(b.path)).digest('hex');
      assert.equal(onDisk, b.sha256);
      assert.equal(b.sha256, a.sha256, `${a.name}: ${a.sha256} then ${b.sha256}`);
      assert.equal(b.bytes, a.bytes);
    }
  });
});
