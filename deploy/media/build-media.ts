import fs from 'node:fs';
import path from 'node:path';
import { nodeSeedFiles, type SeedFile } from '../../iso-builder/node-seed.ts';
import { buildPlatformIso, type PlatformIso } from '../../iso-builder/platform-iso.ts';
import { writeSeedMedium } from '../../iso-builder/seed-medium.ts';
import { ensurePrivateDir } from '../../shared/fs/atomic-write.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { ensureDeploymentSecrets } from '../../iso-builder/deployment-secrets.ts';
import { BUILD_EPOCH, platformForRun } from '../toolkit/platform-for-run.ts';
import { macFor } from './node-mac.ts';

export interface SeedMedium {
  node: string;
  file: string;
  sha256: string;
  bytes: number;
  /** The MAC the node's VM must have: its seed finds the LAN NIC by it. */
  mac: string;
}

export interface DeploymentMedia {
  iso: PlatformIso;
  seeds: SeedMedium[];
  seconds: number;
}

/**
 * Everything a deployment installs from: one platform ISO (the same for
 * every node; kept in the cache and linked here) and one small seed per
 * node. What the qemu lab attaches, and what the Proxmox path uploads.
 */
export async function buildDeploymentMedia(opts: {
  topology: Topology;
  /** The topology file the master's seed carries (the hub reads it). */
  topologyFile: string;
  secretsDir: string;
  outDir: string;
  extraDebsDir?: string;
  cacheDir?: string;
  nodes?: string[];
  /** Files a node's seed carries beside its own (a new master's restored hub state). */
  extraSeedFiles?: Map<string, SeedFile[]>;
  /** The admin login every node makes on first boot, with the operator's SSH public key. */
  admin?: { user: string; sshPublicKey: string };
  quiet?: boolean;
  onStep?: (step: string) => void;
}): Promise<DeploymentMedia> {
  const started = Date.now();
  const t = opts.topology;
  const step = opts.onStep ?? (() => undefined);
  const secrets = await ensureDeploymentSecrets(opts.secretsDir, t);
  const { image, rootfs, cacheDir } = await platformForRun(t, { secrets: opts.secretsDir }, opts, step);
  step('platform ISO');
  const iso = await buildPlatformIso({
    cacheDir,
    deployment: t.name,
    image,
    rootfs,
    epoch: BUILD_EPOCH,
    onStep: (s) => step(`ISO: ${s}`),
  });
  step(`ISO ${path.basename(iso.iso)} (${(iso.bytes / 2 ** 20).toFixed(0)} MiB, ${iso.cached ? 'cached' : 'built'})`);
  ensurePrivateDir(opts.outDir);
  // The cached ISO, linked (or copied across filesystems) under the output folder.
  const isoOut = path.join(opts.outDir, path.basename(iso.iso));
  if (!sameFile(iso.iso, isoOut)) {
    fs.rmSync(isoOut, { force: true });
    try {
      fs.linkSync(iso.iso, isoOut);
    } catch {
      fs.copyFileSync(iso.iso, isoOut);
    }
  }
  const seeds: SeedMedium[] = [];
  for (const node of t.nodes.filter((n) => !opts.nodes || opts.nodes.includes(n.hostname))) {
    const file = path.join(opts.outDir, `${node.hostname}.seed.iso`);
    const mac = macFor(t.name, node.hostname);
    const sha256 = await writeSeedMedium({
      output: file,
      settings: { deployment: t.name, node: node.hostname, disk: 'auto', wipe: false, minDiskBytes: iso.minDiskBytes },
      files: [
        ...nodeSeedFiles({
          topology: t,
          topologyFile: opts.topologyFile,
          node,
          secrets,
          lanMatch: { macAddress: mac },
          useSmbios: true,
          ...(opts.admin ? { admin: opts.admin } : {}),
        }),
        ...(opts.extraSeedFiles?.get(node.hostname) ?? []),
      ],
      epoch: BUILD_EPOCH,
    });
    seeds.push({ node: node.hostname, file, sha256, bytes: fs.statSync(file).size, mac });
  }
  step(`${seeds.length} seeds in ${opts.outDir}`);
  return { iso: { ...iso, iso: isoOut }, seeds, seconds: (Date.now() - started) / 1000 };
}

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}
