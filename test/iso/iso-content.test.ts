import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPreseed } from '../../iso-builder/preseed-check.ts';
import { INSTALLER_START_MARKER } from '../../iso-builder/preseed.ts';
import { requireSystem } from '../support/requirements.ts';
import { ISO_COMMANDS, ISO_FILES, sharedIsoFixture, type IsoFixture } from './build-fixture.ts';
import { elToritoReport, isoList, isoRead, overlayFiles } from './iso-helpers.ts';

describe('iso: built ISO content (xorriso)', function () {
  this.timeout(600_000);
  let fx: IsoFixture;
  const iso = (node: string) => path.join(fx.options.outDir, `kdi-mini-${node}.iso`);

  before(async function () {
    requireSystem(this, { commands: ISO_COMMANDS, files: ISO_FILES });
    fx = await sharedIsoFixture();
  });

  it('lists one ISO per requested node in the manifest, with sha256 and size matching the files', function () {
    assert.deepEqual(
      fx.manifest.isos.map((i) => [i.name, i.role, i.nodes]),
      [
        ['kdi-mini-lb-1.iso', 'lb', ['lb-1']],
        ['kdi-mini-master.iso', 'master', ['master']],
      ],
    );
    for (const entry of fx.manifest.isos) {
      const file = path.join(fx.options.outDir, entry.name);
      assert.equal(fs.statSync(file).size, entry.size);
      assert.equal(execFileSync('sha256sum', [file]).toString().split(' ')[0], entry.sha256);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'an ISO holds a node credential: owner-only');
    }
    const onDisk = JSON.parse(fs.readFileSync(path.join(fx.options.outDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(onDisk, fx.manifest);
  });

  it('has El Torito boot entries for BIOS and UEFI, and the EFI image holds shim and signed GRUB', function () {
    const report = elToritoReport(iso('lb-1'));
    assert.match(report, /El Torito boot img :\s+1\s+BIOS\s+y/);
    assert.match(report, /El Torito boot img :\s+2\s+UEFI\s+y/);
    const efi = isoRead(iso('lb-1'), '/boot/grub/efi.img');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-efi-'));
    try {
      fs.writeFileSync(path.join(dir, 'efi.img'), efi);
      const listing = execFileSync('mdir', ['-i', path.join(dir, 'efi.img'), '-b', '::/EFI/boot']).toString();
      assert.match(listing, /bootx64\.efi/i);
      assert.match(listing, /grubx64\.efi/i);
      execFileSync('mcopy', ['-i', path.join(dir, 'efi.img'), '::/EFI/boot/bootx64.efi', path.join(dir, 'shim')]);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'shim')), fs.readFileSync('/usr/lib/shim/shimx64.efi.signed'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries the payload: minion, config, this node credential, units; hub and its TLS key only on the master', function () {
    const lb = isoList(iso('lb-1'));
    const master = isoList(iso('master'));
    for (const f of [
      'kubedos-minion',
      'minion.json',
      'identity.json',
      'kubedos-minion.service',
      'install-payload.sh',
      'admin.pub',
    ]) {
      assert.ok(lb.includes(`/kubedos/${f}`), `lb-1 ISO lacks /kubedos/${f}`);
      assert.ok(master.includes(`/kubedos/${f}`), `master ISO lacks /kubedos/${f}`);
    }
    for (const f of [
      'kubedos-hub',
      'kubedos-hub.service',
      'hub-tls.key',
      'hub-tls.crt',
      'inventory.json',
      'topology.yaml',
    ]) {
      assert.ok(master.includes(`/kubedos/${f}`), `master ISO lacks /kubedos/${f}`);
      assert.ok(!lb.includes(`/kubedos/${f}`), `lb-1 ISO must not carry /kubedos/${f}`);
    }
    const secrets = fx.options.secretsDir;
    const lbIdentity = isoRead(iso('lb-1'), '/kubedos/identity.json');
    assert.deepEqual(lbIdentity, fs.readFileSync(path.join(secrets, 'nodes', 'lb-1.identity.json')));
    assert.notDeepEqual(lbIdentity, isoRead(iso('master'), '/kubedos/identity.json'));
    assert.ok(!master.some((f) => /darksite-gpg|private-keys|\.key$/.test(f) && f !== '/kubedos/hub-tls.key'));
  });

  it('points the minion at the master on the LAN and pins the hub certificate', function () {
    const config = JSON.parse(isoRead(iso('lb-1'), '/kubedos/minion.json').toString());
    assert.equal(config.hub, '10.0.2.10:7443');
    assert.equal(config.hubCertPem, fs.readFileSync(path.join(fx.options.secretsDir, 'hub', 'tls.crt'), 'utf8'));
    assert.equal(config.identityFile, '/etc/kubedos/identity.json');
    assert.equal(config.stateDir, '/var/lib/kubedos/minion');
    assert.equal(config.useSmbios, true);
    const unit = isoRead(iso('lb-1'), '/kubedos/kubedos-minion.service').toString();
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/kubedos-minion --config \/etc\/kubedos\/minion\.json$/m);
    const hubUnit = isoRead(iso('master'), '/kubedos/kubedos-hub.service').toString();
    // The hub listens on the topology's hub port (its default) and reads its topology from the node.
    assert.match(hubUnit, /--topology \/etc\/kubedos\/topology\.yaml/);
  });

  it('has a preseed in the initrd overlay that debconf accepts, static network, no swap on a Kubernetes node, no passwords', async function () {
    const lb = overlayFiles(iso('lb-1')).get('preseed.cfg')?.toString();
    const master = overlayFiles(iso('master')).get('preseed.cfg')?.toString();
    assert.ok(lb && master, 'preseed.cfg missing from the initrd overlay');
    await checkPreseed(lb);
    await checkPreseed(master);
    assert.match(lb, /^d-i netcfg\/get_ipaddress string 10\.0\.2\.15$/m);
    assert.match(lb, /^d-i netcfg\/get_hostname string lb-1$/m);
    assert.match(lb, /^d-i netcfg\/get_domain string kubedos\.test$/m);
    assert.match(lb, new RegExp(`^d-i preseed/early_command string .*${INSTALLER_START_MARKER} node=lb-1`, 'm'));
    assert.doesNotMatch(lb, /linux-swap/);
    assert.match(master, /linux-swap/);
    assert.match(lb, /^d-i passwd\/root-login boolean false$/m);
    assert.doesNotMatch(lb, /passwd\/(root-)?password(-again)? /, 'no plaintext password questions');
    assert.match(lb, /^d-i passwd\/user-password-crypted password !$/m);
    assert.match(lb, /^d-i apt-setup\/use_mirror boolean false$/m);
    assert.doesNotMatch(lb, /trusted=yes/);
  });

  it('rejects a broken preseed (the check can fail)', async function () {
    await assert.rejects(checkPreseed('d-i netcfg/get_hostname\n'), /debconf-set-selections/);
  });

  it('carries a darksite snapshot whose Release verifies with gpgv against the key on the ISO', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-gpgv-'));
    try {
      const key = path.join(dir, 'key.gpg');
      fs.writeFileSync(key, isoRead(iso('lb-1'), '/kubedos-darksite.gpg'));
      for (const f of ['Release', 'Release.gpg', 'InRelease'])
        fs.writeFileSync(path.join(dir, f), isoRead(iso('lb-1'), `/dists/trixie/${f}`));
      execFileSync('gpgv', ['--keyring', key, path.join(dir, 'Release.gpg'), path.join(dir, 'Release')], {
        stdio: 'pipe',
      });
      execFileSync('gpgv', ['--keyring', key, path.join(dir, 'InRelease')], { stdio: 'pipe' });
      // A tampered Release must not verify.
      fs.appendFileSync(path.join(dir, 'Release'), 'X-Tampered: yes\n');
      assert.throws(() =>
        execFileSync('gpgv', ['--keyring', key, path.join(dir, 'Release.gpg'), path.join(dir, 'Release')], {
          stdio: 'pipe',
        }),
      );
      const packages = isoRead(iso('lb-1'), '/dists/trixie/main/binary-amd64/Packages').toString();
      for (const p of ['jq', 'libjq1', 'libonig5', 'kubelet'])
        assert.match(packages, new RegExp(`^Package: ${p}$`, 'm'));
      const pool = isoList(iso('lb-1')).filter((f) => f.startsWith('/pool/'));
      assert.ok(pool.some((f) => /\/kubelet_.*\.deb$/.test(f)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
