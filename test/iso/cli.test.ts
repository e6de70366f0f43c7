import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { checkDiskSpace } from '../../iso-builder/disk-space.ts';
import { UserError } from '../../shared/errors.ts';
import { requireSystem } from '../support/requirements.ts';
import { fixtureOptions, ISO_COMMANDS, ISO_FILES, MINI_TOPOLOGY } from './build-fixture.ts';
import { makeFakeDeb } from './fake-deb.ts';

const NODE = path.resolve('node_modules/.bin/node');
const MAIN = path.resolve('iso-builder/main.ts');

describe('iso: build-isos command line', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with one clear line, no stack trace, when the SSH key is missing', async function () {
    const r = await execa(
      NODE,
      [
        MAIN,
        '--topology',
        MINI_TOPOLOGY,
        '--secrets',
        path.join(dir, 's'),
        '--out',
        path.join(dir, 'o'),
        '--ssh-key',
        path.join(dir, 'none.pub'),
        '--minion-binary',
        MAIN,
        '--hub-binary',
        MAIN,
      ],
      { reject: false },
    );
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /SSH public key .*none\.pub is not readable: ENOENT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.ok(!fs.existsSync(path.join(dir, 'o')));
  });

  it('prints the manifest as JSON on stdout with --json, progress only on stderr', async function () {
    requireSystem(this, { commands: ISO_COMMANDS, files: ISO_FILES });
    const o = fixtureOptions(dir, path.join(dir, 'cache'));
    // The command derives packages from the topology: its cp node needs all four.
    for (const p of ['kubeadm', 'kubectl', 'kubedos-images']) makeFakeDeb(o.extraDebsDir!, p);
    const r = await execa(NODE, [
      MAIN, '--json', '--topology', MINI_TOPOLOGY, '--secrets', o.secretsDir, '--out', o.outDir, '--cache', o.cacheDir,
      '--ssh-key', o.sshPublicKeyFile, '--minion-binary', o.minionBinary!, '--hub-binary', o.hubBinary!,
      '--extra-debs', o.extraDebsDir!, '--node', 'lb-1', '--no-base-packages',
    ], { reject: false, env: { SOURCE_DATE_EPOCH: '1735689600' } }); // prettier-ignore
    assert.equal(r.exitCode, 0, r.stderr);
    const manifest = JSON.parse(r.stdout);
    assert.deepEqual(
      manifest.isos.map((i: { name: string }) => i.name),
      ['kdi-mini-lb-1.iso'],
    );
    assert.match(r.stderr, /build-isos: darksite snapshot/);
  });

  it('refuses to start when the disk cannot hold the ISOs', function () {
    assert.throws(
      () => checkDiskSpace(dir, 2 ** 60),
      (err: Error) => err instanceof UserError && /not enough disk space/.test(err.message),
    );
    assert.doesNotThrow(() => checkDiskSpace(dir, 1));
  });
});
