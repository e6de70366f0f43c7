import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { buildPlatformIso } from '../../iso-builder/platform-iso.ts';
import type { PlatformImage } from '../../iso-builder/platform-image.ts';
import { folderSeedFiles } from '../../iso-builder/node-seed.ts';
import { diskIds, seedEnv, writeSeedMedium } from '../../iso-builder/seed-medium.ts';
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';

const EPOCH = 1735689600;

/** A file from an ISO, read with xorriso (as the installer would see it). */
async function isoFile(iso: string, file: string, dir: string): Promise<Buffer> {
  const out = path.join(dir, `x-${path.basename(file)}`);
  fs.rmSync(out, { force: true });
  await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', file, out]);
  return fs.readFileSync(out);
}

async function isoFiles(iso: string): Promise<string[]> {
  const r = await execa('xorriso', ['-indev', iso, '-find', '/', '-type', 'f']);
  return r.stdout.split('\n').map((l) => l.replace(/^'|'$/g, ''));
}

/** A root filesystem shaped like the platform image where the ISO builder looks (kernel, initrd, shim, GRUB). */
function tinyRoot(dir: string): string {
  const root = path.join(dir, 'rootfs');
  const put = (rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };
  put('boot/vmlinuz-6.12.0-test', 'kernel');
  put('boot/initrd.img-6.12.0-test', 'initrd');
  put('usr/lib/shim/shimx64.efi.signed', fs.readFileSync('/usr/lib/shim/shimx64.efi.signed'));
  put(
    'usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed',
    fs.readFileSync('/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed'),
  );
  put('etc/hostname', 'kubedos\n');
  return root;
}

describe('the platform ISO and the seeds: one ISO for every node, a small seed each, both reproducible', function () {
  this.timeout(5 * 60_000);

  before(function () {
    requireSystem(this, {
      commands: ['mksquashfs', 'xorriso', 'mkfs.fat', 'mcopy', 'grub-mkimage', 'tar'],
      files: ['/usr/lib/shim/shimx64.efi.signed', '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed'],
    });
  });

  it('builds the same ISO bytes twice, with the image, its checksum and the live boot on it', async function () {
    const dir = tempDir('platform-iso');
    const rootfs = tinyRoot(dir);
    const image = { sha256: 'a'.repeat(64) } as PlatformImage;
    const build = (cache: string) =>
      buildPlatformIso({ cacheDir: path.join(dir, cache), deployment: 'lab-3', image, rootfs, epoch: EPOCH });
    const [a, b] = [await build('one'), await build('two')];
    assert.equal(a.sha256, b.sha256, 'two builds give the same ISO');
    assert.equal(a.imageSha256, b.imageSha256);
    assert.ok(!a.cached && (await build('one')).cached, 'a second build is served from the cache');
    const listing = await isoFiles(a.iso);
    for (const f of [
      '/live/filesystem.squashfs',
      '/live/vmlinuz',
      '/live/initrd.img',
      '/kubedos/deployment.env',
      '/.disk/info',
    ])
      assert.ok(listing.includes(f), `${f} on the ISO: ${listing.join(' ')}`);
    const env = (await isoFile(a.iso, '/kubedos/deployment.env', dir)).toString();
    assert.match(env, new RegExp(`^KUBEDOS_IMAGE_SHA256=${a.imageSha256}$`, 'm'));
    const grub = (await isoFile(a.iso, '/boot/grub/grub.cfg', dir)).toString();
    assert.match(grub, /boot=live kubedos\.install/);
  });

  it('writes a node’s seed (0600, labelled KDSEED) identically twice, its secrets only in it', async function () {
    const dir = tempDir('seed-media');
    const settings = { deployment: 'lab-3', node: 'cp-1', disk: 'auto', wipe: false, minDiskBytes: 2 ** 31 };
    const files = [
      { path: '/etc/hostname', mode: 0o644, content: 'cp-1\n' },
      { path: '/etc/kubedos/identity.json', mode: 0o600, content: '{"credentialSeed":"secret"}\n' },
    ];
    const one = await writeSeedMedium({ output: path.join(dir, 'a.iso'), settings, files, epoch: EPOCH });
    const two = await writeSeedMedium({ output: path.join(dir, 'b.iso'), settings, files, epoch: EPOCH });
    assert.equal(one, two);
    assert.equal(fs.statSync(path.join(dir, 'a.iso')).mode & 0o777, 0o600);
    assert.ok(fs.statSync(path.join(dir, 'a.iso')).size < 2 ** 20, 'a seed is under 1 MiB');
    const label = await execa('xorriso', ['-indev', path.join(dir, 'a.iso'), '-pvd_info']);
    assert.match(label.stdout + label.stderr, /Volume Id\s*:\s*KDSEED/);
    const tar = await isoFile(path.join(dir, 'a.iso'), '/seed.tar', dir);
    const listing = (await execa('tar', ['-tvf', '-'], { input: tar })).stdout;
    assert.match(listing, /^-rw------- 0\/0 .* etc\/kubedos\/identity\.json$/m);
    // Filesystem ids are per node and stable: a rebuilt node gets the same, two nodes never share one.
    assert.deepEqual(diskIds('lab-3', 'cp-1'), diskIds('lab-3', 'cp-1'));
    assert.notEqual(diskIds('lab-3', 'cp-1').rootUuid, diskIds('lab-3', 'etcd-1').rootUuid);
    assert.throws(() => seedEnv({ ...settings, disk: '/dev/sda; rm -rf /' }), /characters/);
  });

  it('a new master’s seed carries its restored hub state: every file with its mode, every folder of it private', async function () {
    const dir = tempDir('seed-state');
    const state = path.join(dir, 'hub');
    fs.mkdirSync(path.join(state, 'pki'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(state, 'hub.db'), 'db', { mode: 0o600 });
    fs.writeFileSync(path.join(state, 'pki', 'etcd-ca.key'), 'key', { mode: 0o600 });
    fs.writeFileSync(path.join(state, 'pki', 'etcd-ca.crt'), 'crt', { mode: 0o644 });
    const files = [
      { path: '/etc/hostname', mode: 0o644, content: 'master\n' },
      ...folderSeedFiles(state, '/var/lib/kubedos/hub'),
    ];
    const settings = { deployment: 'lab-3', node: 'master', disk: 'auto', wipe: false, minDiskBytes: 2 ** 31 };
    await writeSeedMedium({ output: path.join(dir, 'm.iso'), settings, files, epoch: EPOCH });
    const tar = await isoFile(path.join(dir, 'm.iso'), '/seed.tar', dir);
    const listing = (await execa('tar', ['-tvf', '-'], { input: tar })).stdout;
    assert.match(listing, /^-rw------- 0\/0 .* var\/lib\/kubedos\/hub\/hub\.db$/m);
    assert.match(listing, /^-rw------- 0\/0 .* var\/lib\/kubedos\/hub\/pki\/etcd-ca\.key$/m);
    assert.match(listing, /^-rw-r--r-- 0\/0 .* var\/lib\/kubedos\/hub\/pki\/etcd-ca\.crt$/m);
    assert.match(listing, /^drwx------ 0\/0 .* var\/lib\/kubedos\/hub\/$/m);
    assert.match(listing, /^drwx------ 0\/0 .* var\/lib\/kubedos\/hub\/pki\/$/m);
    assert.match(listing, /^drwxr-xr-x 0\/0 .* var\/lib\/kubedos\/$/m, 'folders above the state as usual');
  });
});
