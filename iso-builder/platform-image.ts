/**
 * The platform image: one Debian root filesystem for every node of a
 * deployment, built once by Debian's mmdebstrap from the signed darksite
 * snapshot (never from the network directly), as a reproducible tarball.
 * The installer writes it to a VM's disk; the nspawn substrate boots it as a
 * container. What differs between nodes (hostname, network, credential,
 * role, hub material) is not in it: that is the node's seed (node-seed.ts).
 *
 * It holds the kernel and the signed boot chain (shim, GRUB), systemd with
 * networkd, WireGuard (kernel tools and wireguard-go), nftables, OpenSSH
 * (host keys are made on each node's first boot, never here), the minion and
 * hub executables with their units, and the darksite itself as the node's
 * only APT source, signed-by the deployment's key. Role packages are not
 * installed: convergence installs them from that local darksite.
 *
 * Cache layout under cacheDir/images/<key>/: platform.tar, image.json; a
 * killed build leaves only a .<key>.<pid>.tmp folder, removed by the next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { darksitePackageNames } from '../shared/darksite/package-index.ts';
import { UserError } from '../shared/errors.ts';
import { writeFileAtomic } from '../shared/fs/atomic-write.ts';
import { buildSnapshot, suiteOf, type Snapshot } from './apt-snapshot.ts';
import type { DarksiteKey } from './darksite-key.ts';
import type { ExtraDeb } from './extra-debs.ts';
import { sha256File, sha256Text } from './hash.ts';
import { IMAGE_UNITS, NODE_PATHS } from './node-layout.ts';
import type { PackageSet } from './role-packages.ts';
import { markUsed, pruneCache } from './cache-prune.ts';
import { removeStale } from './stale.ts';
import { requireTools, run } from './tools.ts';

/** What every node has installed, whatever its role. Role packages come later, from the darksite. */
export const IMAGE_PACKAGES: readonly string[] = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'udev',
  'kmod',
  'iproute2',
  'iputils-ping',
  'procps',
  'netbase',
  'ca-certificates',
  'apt',
  'linux-image-amd64',
  'initramfs-tools',
  'shim-signed',
  'grub-efi-amd64-signed',
  'grub-efi-amd64-bin',
  'wireguard-tools',
  'wireguard-go',
  'nftables',
  'openssh-server',
  'sudo',
  'passwd',
  'qemu-guest-agent',
  'chrony',
  // The image is also the installer's live system (booted from the platform ISO).
  'live-boot',
  'squashfs-tools',
  'e2fsprogs',
  'dosfstools',
  'fdisk',
];

/** The installer script, read from the source tree; part of the image's key. */
const INSTALLER_SCRIPT = path.join(import.meta.dirname, 'installer', 'kubedos-install.sh');

/** Bumped when the image's content changes for the same inputs. */
const IMAGE_FORMAT = 1;

export interface PlatformImageOptions {
  cacheDir: string;
  key: DarksiteKey;
  /** Role packages of the deployment: carried in the darksite, installed by convergence. */
  rolePackages: PackageSet;
  /** Operator-supplied packages not in Debian (kubeadm, grafana): carried in the darksite when given. */
  extraDebs: ExtraDeb[];
  minionBinary: string;
  hubBinary: string;
  epoch: number;
  suite?: string;
  mirror?: string;
  onStep?: (step: string) => void;
}

export interface PlatformImage {
  /** The root filesystem as a tarball (what the installer unpacks). */
  tarball: string;
  sha256: string;
  bytes: number;
  key: string;
  suite: string;
  cached: boolean;
  /** Package names in the darksite the image carries (what convergence can install). */
  darksitePackages: string[];
  snapshot: Snapshot;
  seconds: number;
}

interface ImageManifest {
  format: number;
  key: string;
  suite: string;
  sha256: string;
  bytes: number;
  darksitePackages: string[];
}

export async function buildPlatformImage(opts: PlatformImageOptions): Promise<PlatformImage> {
  const started = Date.now();
  await requireTools(['mmdebstrap', 'apt-get', 'apt-ftparchive', 'dpkg-scanpackages', 'gpg', 'tar']);
  const suite = suiteOf(opts);
  const snapshot = await buildSnapshot({
    cacheDir: opts.cacheDir,
    packages: {
      debian: [...new Set([...IMAGE_PACKAGES, ...opts.rolePackages.debian])].sort(),
      extra: opts.extraDebs.map((d) => d.package),
    },
    extraDebs: opts.extraDebs,
    key: opts.key,
    epoch: opts.epoch,
    basePriorities: ['required'],
    suite,
    ...(opts.mirror ? { mirror: opts.mirror } : {}),
    onStep: (m) => opts.onStep?.(`darksite: ${m}`),
  });
  const [minionSha, hubSha] = await Promise.all([sha256File(opts.minionBinary), sha256File(opts.hubBinary)]);
  const key = sha256Text(
    JSON.stringify({
      format: IMAGE_FORMAT,
      suite,
      snapshot: snapshot.key,
      packages: IMAGE_PACKAGES,
      minion: minionSha,
      hub: hubSha,
      units: IMAGE_UNITS,
      installer: sha256Text(fs.readFileSync(INSTALLER_SCRIPT, 'utf8')),
      epoch: opts.epoch,
    }),
  ).slice(0, 32);
  const imagesDir = path.join(opts.cacheDir, 'images');
  const dir = path.join(imagesDir, key);
  const manifestFile = path.join(dir, 'image.json');
  const tarball = path.join(dir, 'platform.tar');
  const finish = (m: ImageManifest, cached: boolean): PlatformImage => ({
    tarball,
    sha256: m.sha256,
    bytes: m.bytes,
    key,
    suite,
    cached,
    darksitePackages: m.darksitePackages,
    snapshot,
    seconds: (Date.now() - started) / 1000,
  });
  if (fs.existsSync(manifestFile)) {
    markUsed(dir);
    return finish(JSON.parse(fs.readFileSync(manifestFile, 'utf8')), true);
  }

  fs.mkdirSync(imagesDir, { recursive: true });
  removeStale(imagesDir, /^\..+\.(\d+)\.tmp$/);
  const tmp = path.join(imagesDir, `.${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const stage = path.join(tmp, 'stage');
    stageImageFiles(stage, opts, suite, snapshot);
    opts.onStep?.(`mmdebstrap (${suite}, ${IMAGE_PACKAGES.length} packages and their dependencies)`);
    const keyring = path.join(snapshot.dir, 'kubedos-darksite.gpg');
    const hook = (script: string) => `--customize-hook=${script}`;
    await run(
      'mmdebstrap',
      [
        '--mode=root',
        '--variant=essential',
        '--format=tar',
        `--include=${IMAGE_PACKAGES.join(',')}`,
        '--aptopt=Acquire::Languages "none"',
        // The cache may sit in a home only root can read (/root); apt's _apt sandbox user could not read it.
        '--aptopt=APT::Sandbox::User "root"',
        // Documentation and translations stay out of every node (copyright files stay in).
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        // The lists apt-get update writes below (for the node's own darksite source) stay in the image.
        '--skip=cleanup/apt/lists',
        hook(`cp -a ${q(stage)}/. "$1"/`),
        hook('rm -f "$1"/etc/apt/sources.list.d/* "$1"/etc/ssh/ssh_host_*'),
        hook(
          `chroot "$1" systemctl enable ${Object.keys(IMAGE_UNITS).join(' ')} systemd-networkd.service nftables.service`,
        ),
        hook('rm -rf "$1"/var/lib/apt/lists/* && chroot "$1" apt-get -qq update'),
        // Per node: first boot makes the machine-id; no build host's identity or resolver stays behind.
        hook('printf "uninitialized\\n" > "$1"/etc/machine-id && rm -f "$1"/var/lib/dbus/machine-id'),
        hook('printf "kubedos\\n" > "$1"/etc/hostname && : > "$1"/etc/resolv.conf'),
        suite,
        path.join(tmp, 'platform.tar'),
        `deb [signed-by=${keyring}] copy://${snapshot.dir} ${suite} main`,
      ],
      { env: { SOURCE_DATE_EPOCH: String(opts.epoch), LC_ALL: 'C.UTF-8' } },
    );
    const out = path.join(tmp, 'platform.tar');
    const manifest: ImageManifest = {
      format: IMAGE_FORMAT,
      key,
      suite,
      sha256: await sha256File(out),
      bytes: fs.statSync(out).size,
      darksitePackages: darksitePackageNames(snapshot.dir),
    };
    fs.rmSync(stage, { recursive: true, force: true });
    writeFileAtomic(path.join(tmp, 'image.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    pruneCache(imagesDir, KEEP_IMAGES, mountedNow());
    return finish(manifest, false);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Images kept in the cache, the one just built or used among them (each is about 2.5 GB with its unpacked root). */
const KEEP_IMAGES = 3;

/** Whether an image's unpacked root is mounted (a running lab's containers sit on it), from one read of the mounts. */
function mountedNow(): (entry: string) => boolean {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  return (entry) => mounts.includes(`${entry}/`);
}

function q(s: string): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(s)) throw new UserError(`path ${s} has characters the image build cannot quote`);
  return s;
}

/** The files kubedos adds to the root, laid out under stage/ with their final modes and a fixed mtime. */
function stageImageFiles(stage: string, opts: PlatformImageOptions, suite: string, snapshot: Snapshot): void {
  const put = (rel: string, content: string | Buffer, mode = 0o644) => {
    const file = path.join(stage, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  };
  const copy = (from: string, rel: string, mode: number) => {
    const file = path.join(stage, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(from, file);
    fs.chmodSync(file, mode);
  };
  copy(opts.minionBinary, NODE_PATHS.minionBinary, 0o755);
  copy(opts.hubBinary, NODE_PATHS.hubBinary, 0o755);
  for (const [name, text] of Object.entries(IMAGE_UNITS)) put(`etc/systemd/system/${name}`, text);
  copy(INSTALLER_SCRIPT, NODE_PATHS.installer, 0o755);
  // SSH: keys only, never root (the admin user of the seed is the way in).
  put(
    'etc/ssh/sshd_config.d/kubedos.conf',
    "# kubedos: the admin user logs in with the operator's key only.\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n",
  );
  // The role firewall survives a reboot: nftables.service loads what the minion applied last (nothing before that).
  put(
    'etc/nftables.conf',
    `#!/usr/sbin/nft -f\n# kubedos: the node's role firewall, as the minion last applied it.\nflush ruleset\ninclude "${NODE_PATHS.firewall.replace('.nft', '*.nft')}"\n`,
    0o755,
  );
  // APT on the node sees only its own copy of the darksite, verified with the deployment's key.
  put(NODE_PATHS.darksiteKey, opts.key.publicKey);
  put(
    'etc/apt/sources.list',
    `# kubedos: this node's only package source, its own copy of the signed darksite.\n` +
      `deb [signed-by=${NODE_PATHS.darksiteKey}] file:${NODE_PATHS.darksite} ${suite} main\n`,
  );
  const darksite = path.join(stage, NODE_PATHS.darksite);
  fs.mkdirSync(darksite, { recursive: true });
  fs.cpSync(path.join(snapshot.dir, 'dists'), path.join(darksite, 'dists'), { recursive: true });
  fs.cpSync(path.join(snapshot.dir, 'pool'), path.join(darksite, 'pool'), { recursive: true });
  for (const d of ['etc/kubedos', NODE_PATHS.minionState, NODE_PATHS.hubState])
    fs.mkdirSync(path.join(stage, d), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(stage, 'etc/kubedos'), 0o755);
  setMtimes(stage, opts.epoch);
}

function setMtimes(dir: string, epoch: number): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) setMtimes(p, epoch);
    fs.utimesSync(p, epoch, epoch);
  }
  fs.utimesSync(dir, epoch, epoch);
}

/** Unpacks the image into dir once (a finished marker makes the next call free); the nspawn lower layer. */
export async function unpackPlatformImage(image: PlatformImage, dir: string): Promise<string> {
  const rootfs = path.join(dir, 'rootfs');
  const marker = path.join(dir, 'unpacked.sha256');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === image.sha256) return rootfs;
  const tmp = `${rootfs}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await run('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', image.tarball, '-C', tmp]);
  fs.rmSync(rootfs, { recursive: true, force: true });
  fs.renameSync(tmp, rootfs);
  fs.writeFileSync(marker, `${image.sha256}\n`);
  return rootfs;
}
