import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIsos } from '../../iso-builder/build.ts';
import { UserError } from '../../shared/errors.ts';
import { requireSystem } from '../support/requirements.ts';
import { fixtureOptions, ISO_COMMANDS, ISO_FILES, sharedIsoFixture, type IsoFixture } from './build-fixture.ts';

describe('iso: reproducible builds, snapshot cache, bad input', function () {
  this.timeout(600_000);
  let fx: IsoFixture;
  let scratch: string;

  before(async function () {
    requireSystem(this, { commands: ISO_COMMANDS, files: ISO_FILES });
    fx = await sharedIsoFixture();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-repro-'));
  });
  after(() => scratch && fs.rmSync(scratch, { recursive: true, force: true }));

  it('builds byte-identical ISOs a second time, into another folder, downloading nothing', async function () {
    const again = await buildIsos({ ...fx.options, outDir: path.join(scratch, 'out2') });
    assert.equal(again.snapshot.cached, true);
    assert.equal(again.snapshot.downloaded, 0);
    assert.equal(again.snapshot.key, fx.manifest.snapshot.key);
    assert.deepEqual(
      again.isos.map((i) => [i.name, i.sha256]),
      fx.manifest.isos.map((i) => [i.name, i.sha256]),
    );
  });

  it('changes the ISO when an input changes (the comparison above can fail)', async function () {
    const later = await buildIsos({ ...fx.options, outDir: path.join(scratch, 'out3'), epoch: fx.options.epoch! + 1 });
    assert.notEqual(later.isos[0]!.sha256, fx.manifest.isos[0]!.sha256);
  });

  it('clears what a killed build left (partial ISO, work folder) and never keeps a partial under the final name', async function () {
    const outDir = path.join(scratch, 'out-killed');
    fs.mkdirSync(outDir, { recursive: true });
    // pid 2^22+1 is above Linux's pid_max, so it is certainly not running.
    const deadPid = 4194305;
    fs.writeFileSync(path.join(outDir, `.kdi-mini-lb-1.iso.${deadPid}.partial`), 'half an ISO');
    fs.mkdirSync(path.join(fx.options.cacheDir, `work-${deadPid}-abc`));
    await buildIsos({ ...fx.options, outDir, nodes: ['lb-1'] });
    assert.deepEqual(fs.readdirSync(outDir).sort(), ['kdi-mini-lb-1.iso', 'manifest.json']);
    assert.ok(!fs.existsSync(path.join(fx.options.cacheDir, `work-${deadPid}-abc`)));
  });

  it('names every missing operator package at once', async function () {
    const opts = {
      ...fx.options,
      outDir: path.join(scratch, 'out-missing'),
      packages: { debian: ['jq'], extra: ['kubelet', 'kubeadm', 'grafana'] },
    };
    await assert.rejects(buildIsos(opts), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /no \.deb for package kubeadm/);
      assert.match(err.message, /still missing \(2 of 3\): kubeadm, grafana/);
      return true;
    });
    assert.deepEqual(
      fs.readdirSync(opts.outDir).filter((f) => f.endsWith('.iso') || f.includes('partial')),
      [],
    );
  });

  it('fails early with a clear message and no ISO on an unreadable payload, a missing base ISO or a bad topology', async function () {
    const dir = path.join(scratch, 'bad');
    fs.mkdirSync(dir);
    const base = fixtureOptions(dir, fx.options.cacheDir);
    const cases: Array<[Partial<typeof base>, RegExp]> = [
      [{ minionBinary: path.join(dir, 'nope') }, /minion binary .*nope is not readable: ENOENT/],
      [{ baseIso: path.join(dir, 'netinst.iso') }, /base ISO .*netinst\.iso is not readable: ENOENT/],
      [{ sshPublicKeyFile: path.join(dir, 'kubedos-minion') }, /is not an SSH public key/],
      [{ topologyFile: path.join(dir, 'id.pub') }, /invalid topology/],
      [{ nodes: ['ghost'] }, /no such node .*: ghost/],
    ];
    for (const [change, message] of cases) {
      const outDir = path.join(dir, 'out');
      await assert.rejects(buildIsos({ ...base, ...change, outDir }), (err: Error) => {
        assert.ok(err instanceof UserError, `${err.message} should be a UserError`);
        assert.match(err.message, message);
        return true;
      });
      assert.ok(!fs.existsSync(outDir) || fs.readdirSync(outDir).length === 0, `nothing written for ${message}`);
    }
  });
});
