import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleEntry } from '../../scripts/sea/bundle.ts';
import { PINNED_NODE, REPO_ROOT, SEA_TARGETS } from '../../scripts/sea/targets.ts';
import { UserError } from '../../shared/errors.ts';
import { tempDir } from './built-executables.ts';

describe('single executables: bundling', () => {
  it('embeds the .proto text, so the bundle runs with no source tree beside it', async () => {
    const script = await bundleEntry(REPO_ROOT, 'test/sea/fixtures/prints-proto.ts');
    const file = path.join(tempDir('sea-bundle'), 'prints-proto.cjs');
    fs.writeFileSync(file, script);
    const printed = execFileSync(PINNED_NODE, [file], { cwd: path.dirname(file), encoding: 'utf8' });
    assert.equal(printed, fs.readFileSync(path.join(REPO_ROOT, 'proto/kubedos/v1/hub.proto'), 'utf8'));
  });

  it('writes module paths relative to the checkout, never where it happens to be', async () => {
    for (const target of SEA_TARGETS) {
      const script = await bundleEntry(REPO_ROOT, target.entry);
      assert.ok(!script.includes(REPO_ROOT), `the ${target.name} bundle names the checkout directory`);
      assert.match(script, /\/\/ node_modules\/@grpc\/grpc-js\//);
    }
  });

  it('refuses a module that finds files through import.meta, naming it', async () => {
    await assert.rejects(bundleEntry(REPO_ROOT, 'test/sea/fixtures/reads-beside-itself.ts'), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /test\/sea\/fixtures\/reads-beside-itself\.ts finds files through import\.meta/);
      return true;
    });
  });
});
