import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIsos, type BuildIsosOptions } from '../../iso-builder/build.ts';
import type { BuildManifest } from '../../iso-builder/manifest.ts';
import { makeFakeDeb } from './fake-deb.ts';

/** Programs the ISO tests need; .ci/apt-packages.txt installs them in CI. */
export const ISO_COMMANDS = [
  'xorriso',
  'mkfs.fat',
  'mcopy',
  'grub-mkimage',
  'cpio',
  'gpg',
  'gpgv',
  'apt-ftparchive',
  'dpkg-scanpackages',
  'debconf-set-selections',
];
export const ISO_FILES = [
  '/usr/lib/shim/shimx64.efi.signed',
  '/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed',
  '/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/initrd.gz',
];

export const MINI_TOPOLOGY = path.join(import.meta.dirname, 'fixtures', 'mini.yaml');

export interface IsoFixture {
  dir: string;
  options: BuildIsosOptions;
  manifest: BuildManifest;
}

export function fixtureOptions(dir: string, cacheDir: string): BuildIsosOptions {
  const minion = path.join(dir, 'kubedos-minion');
  // The real default is dist/kubedos-minion; any executable stands in so these tests do not depend on the build.
  if (!fs.existsSync(minion)) fs.writeFileSync(minion, '#!/bin/sh\necho kubedos-minion stand-in\n', { mode: 0o755 });
  const key = path.join(dir, 'id.pub');
  fs.writeFileSync(
    key,
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiKdiK operator@test\n',
  );
  const extra = path.join(dir, 'extra-debs');
  if (!fs.existsSync(extra)) makeFakeDeb(extra, 'kubelet', 'jq');
  return {
    topologyFile: MINI_TOPOLOGY,
    secretsDir: path.join(dir, 'secrets'),
    outDir: path.join(dir, 'out'),
    cacheDir,
    minionBinary: minion,
    hubBinary: minion,
    sshPublicKeyFile: key,
    extraDebsDir: extra,
    packages: { debian: ['jq'], extra: ['kubelet'] },
    includeBase: false,
    nodes: ['master', 'lb-1'],
    epoch: 1735689600,
  };
}

let shared: Promise<IsoFixture> | undefined;
let sharedDir: string | undefined;

// A root-level hook: runs once after every spec file, when no test needs the shared ISOs any more.
after(() => {
  if (sharedDir) fs.rmSync(sharedDir, { recursive: true, force: true });
});

/** Built once per mocha run and shared by the ISO and boot tests (the snapshot cache is shared too). */
export function sharedIsoFixture(): Promise<IsoFixture> {
  shared ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdi-iso-'));
    sharedDir = dir;
    const options = fixtureOptions(dir, path.join(dir, 'cache'));
    const manifest = await buildIsos(options);
    return { dir, options, manifest };
  })();
  return shared;
}
