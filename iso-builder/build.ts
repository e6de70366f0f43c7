import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDeploymentSecrets } from '../deploy/deployment-secrets.ts';
import { UserError } from '../shared/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../shared/fs/atomic-write.ts';
import { loadTopology } from '../shared/topology/load.ts';
import type { TopologyNode } from '../shared/topology/model.ts';
import { buildSnapshot, DEFAULT_SUITE } from './apt-snapshot.ts';
import { locateBaseInstaller } from './base-installer.ts';
import { buildBootMedia, buildInitrdOverlay } from './boot-media.ts';
import { ensureDarksiteKey } from './darksite-key.ts';
import { checkDiskSpace } from './disk-space.ts';
import { selectExtraDebs } from './extra-debs.ts';
import { sha256File } from './hash.ts';
import { removeStale } from './stale.ts';
import { writeIsoImage, type Graft } from './iso-image.ts';
import type { BuildManifest, IsoManifestEntry } from './manifest.ts';
import { checkReadableFile, PAYLOAD_ISO_DIR, payloadFiles } from './payload.ts';
import { renderPreseed } from './preseed.ts';
import { checkPreseed } from './preseed-check.ts';
import { packagesForRole, packagesForTopology, type PackageSet } from './role-packages.ts';
import { requireTools } from './tools.ts';

export const DEFAULT_MINION_BINARY = 'dist/kubedos-minion';
export const DEFAULT_HUB_BINARY = 'dist/kubedos-hub';
/** 2025-01-01T00:00:00Z, used when SOURCE_DATE_EPOCH is not set. */
export const DEFAULT_EPOCH = 1735689600;

export interface BuildIsosOptions {
  topologyFile?: string;
  secretsDir: string;
  outDir: string;
  cacheDir: string;
  minionBinary?: string;
  hubBinary?: string;
  sshPublicKeyFile: string;
  adminUser?: string;
  extraDebsDir?: string;
  baseIso?: string;
  /** Replaces the role-derived package set (tests use a few small packages). */
  packages?: PackageSet;
  /** Carry Debian's required+important packages for an offline base install (default true). */
  includeBase?: boolean;
  epoch?: number;
  concurrency?: number;
  /** Build only these nodes' ISOs. */
  nodes?: string[];
  onProgress?: (event: BuildEvent) => void;
}

export type BuildEvent =
  | { kind: 'step'; message: string }
  | { kind: 'iso-start'; node: string; total: number }
  | { kind: 'iso-done'; node: string; entry: IsoManifestEntry; total: number; done: number };

const TOOLS = [
  'xorriso',
  'mkfs.fat',
  'mcopy',
  'mmd',
  'grub-mkimage',
  'cpio',
  'gpg',
  'apt-get',
  'apt-ftparchive',
  'dpkg-scanpackages',
  'dpkg-deb',
  'debconf-set-selections',
];
const ADMIN_USER = /^[a-z][a-z0-9-]{0,31}$/;

export function sourceDateEpoch(): number {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env === undefined || env === '') return DEFAULT_EPOCH;
  if (!/^\d+$/.test(env)) throw new UserError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${env}"`);
  return Number(env);
}

function readSshKey(file: string): string {
  checkReadableFile(file, 'SSH public key');
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+/.test(text) || text.includes('PRIVATE KEY')) {
    throw new UserError(`${file} is not an SSH public key (expected one "ssh-ed25519 AAAA..." line)`);
  }
  return text;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Builds one ISO per node (see docs/iso.md for why per node): all share one
 * darksite snapshot and one boot chain; each adds its preseed, payload and
 * enrollment credential (a few KB plus the binaries). Every input is checked
 * before the first byte of any ISO is written.
 */
export async function buildIsos(opts: BuildIsosOptions): Promise<BuildManifest> {
  const step = (message: string) => opts.onProgress?.({ kind: 'step', message });
  const epoch = opts.epoch ?? sourceDateEpoch();
  const adminUser = opts.adminUser ?? 'kubedos';
  if (!ADMIN_USER.test(adminUser)) throw new UserError(`admin user "${adminUser}" is not a valid login name`);
  const topologyFile = path.resolve(
    opts.topologyFile ?? path.join(import.meta.dirname, '../examples/platform-16.yaml'),
  );
  const topology = loadTopology(topologyFile);
  const selected = opts.nodes ? topology.nodes.filter((n) => opts.nodes!.includes(n.hostname)) : topology.nodes;
  const unknown = (opts.nodes ?? []).filter((h) => !topology.nodes.some((n) => n.hostname === h));
  if (unknown.length > 0) throw new UserError(`no such node in ${topologyFile}: ${unknown.join(', ')}`);
  const minionBinary = path.resolve(opts.minionBinary ?? DEFAULT_MINION_BINARY);
  const hubBinary = path.resolve(opts.hubBinary ?? DEFAULT_HUB_BINARY);
  checkReadableFile(minionBinary, 'minion binary');
  if (selected.some((n) => n.role === 'master')) checkReadableFile(hubBinary, 'hub binary');
  const sshPublicKey = readSshKey(opts.sshPublicKeyFile);
  await requireTools(TOOLS);
  ensurePrivateDir(opts.outDir);
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  removeStale(opts.outDir, /^\..+\.(\d+)\.partial$/);
  removeStale(opts.cacheDir, /^work-(\d+)-/);
  removeStale(path.join(opts.cacheDir, 'snapshots'), /^\..+\.(\d+)\.tmp$/);
  removeStale(opts.secretsDir, /^\.darksite-gpg\.(\d+)\.tmp$/);
  const work = fs.mkdtempSync(path.join(opts.cacheDir, `work-${process.pid}-`));
  try {
    const base = await locateBaseInstaller(opts.baseIso, work);
    const preseeds = new Map<string, string>();
    for (const node of selected) {
      const set = opts.packages ?? packagesForRole(node.role);
      const text = renderPreseed({ topology, node, adminUser, packages: [...set.debian, ...set.extra] });
      await checkPreseed(text);
      preseeds.set(node.hostname, text);
    }

    step('deployment secrets');
    const secrets = await ensureDeploymentSecrets(opts.secretsDir, topology);
    const key = await ensureDarksiteKey(opts.secretsDir, topology.name);

    const packages = opts.packages ?? packagesForTopology(topology);
    const extraDebs = await selectExtraDebs(opts.extraDebsDir, packages.extra);
    step('darksite snapshot');
    const snapshot = await buildSnapshot({
      cacheDir: opts.cacheDir,
      packages,
      extraDebs,
      key,
      epoch,
      basePriorities: (opts.includeBase ?? true) ? ['required', 'important'] : [],
      onStep: (m) => step(`snapshot: ${m}`),
    });

    const fixed = [base.kernel, base.initrd, minionBinary].reduce((a, f) => a + fs.statSync(f).size, 0);
    checkDiskSpace(opts.outDir, selected.length * (snapshot.bytes + fixed + 32 * 2 ** 20));

    step('boot chain (shim, GRUB EFI and BIOS images)');
    const boot = await buildBootMedia(path.join(work, 'boot'), epoch);

    const entries: IsoManifestEntry[] = [];
    let done = 0;
    const buildOne = async (node: TopologyNode) => {
      opts.onProgress?.({ kind: 'iso-start', node: node.hostname, total: selected.length });
      const nodeDir = path.join(work, 'nodes', node.hostname);
      const overlay = path.join(nodeDir, 'initrd');
      fs.mkdirSync(overlay, { recursive: true });
      fs.writeFileSync(path.join(overlay, 'preseed.cfg'), preseeds.get(node.hostname)!);
      const overlayGz = path.join(nodeDir, 'kubedos.gz');
      await buildInitrdOverlay(overlay, overlayGz, epoch);
      const grafts: Graft[] = [
        { isoPath: '/install/vmlinuz', from: base.kernel },
        { isoPath: '/install/initrd.gz', from: base.initrd },
        { isoPath: '/install/kubedos.gz', from: overlayGz },
      ];
      const staged = path.join(nodeDir, 'payload');
      fs.mkdirSync(staged, { recursive: true });
      const info = path.join(nodeDir, 'disk-info');
      fs.writeFileSync(info, `kubedos ${topology.name} ${node.hostname} (${node.role}) - Debian 13 amd64\n`);
      grafts.push({ isoPath: '/.disk/info', from: info });
      const files = payloadFiles(
        {
          topology,
          topologyFile,
          node,
          minionBinary,
          hubBinary,
          hubCertPem: secrets.hubCertPem,
          hubCertPath: secrets.hubCertPath,
          hubKeyPath: secrets.hubKeyPath,
          identityPath: secrets.identityPath(node.hostname),
          inventoryPath: secrets.inventoryPath,
          sshPublicKey,
          adminUser,
        },
        DEFAULT_SUITE,
      );
      for (const f of files) {
        let from: string;
        if ('from' in f) from = f.from;
        else {
          from = path.join(staged, f.name);
          fs.writeFileSync(from, f.content);
        }
        grafts.push({ isoPath: `/${PAYLOAD_ISO_DIR}/${f.name}`, from });
      }
      const name = `${topology.name}-${node.hostname}.iso`;
      const output = path.join(opts.outDir, name);
      await writeIsoImage({
        output,
        volumeId: `KUBEDOS_${node.hostname.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`.slice(0, 32),
        boot,
        rootTrees: [snapshot.dir],
        grafts,
        epoch,
      });
      const entry: IsoManifestEntry = {
        name,
        role: node.role,
        nodes: [node.hostname],
        sha256: await sha256File(output),
        size: fs.statSync(output).size,
      };
      entries.push(entry);
      done += 1;
      opts.onProgress?.({ kind: 'iso-done', node: node.hostname, entry, total: selected.length, done });
    };
    await inParallel(selected, opts.concurrency ?? Math.max(2, os.availableParallelism()), buildOne);

    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    const manifest: BuildManifest = {
      deployment: topology.name,
      sourceDateEpoch: epoch,
      baseInstaller: base.source,
      snapshot: {
        key: snapshot.key,
        packages: snapshot.packageCount,
        bytes: snapshot.bytes,
        downloaded: snapshot.downloaded,
        cached: snapshot.cached,
      },
      isos: entries,
      bytesWritten: entries.reduce((a, e) => a + e.size, 0) + (snapshot.cached ? 0 : snapshot.bytes),
    };
    writeFileAtomic(path.join(opts.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
    return manifest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
