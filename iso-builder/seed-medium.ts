/**
 * A node's seed medium: a tiny ISO labelled KDSEED (the way cloud-init's
 * NoCloud `cidata` works), attached beside the platform ISO. It holds
 * seed.env (which deployment and node, which disk, whether to wipe it, the
 * filesystem ids the installer gives the disk) and seed.tar (the node's seed
 * files: hostname, LAN network matched by MAC address, resolver, its
 * enrollment credential 0600, the minion config; the hub's material on the
 * master alone). It carries the node's credential: 0600, never shared.
 *
 * Reproducible: tar sorted by name, root-owned, dated at the epoch; xorriso
 * with SOURCE_DATE_EPOCH and fixed file dates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { sha256File, sha256Text } from './hash.ts';
import type { SeedFile } from './node-seed.ts';
import { run } from './tools.ts';

export const SEED_LABEL = 'KDSEED';

export interface SeedSettings {
  deployment: string;
  node: string;
  /** A device path, or "auto": the only fixed disk. */
  disk: string;
  wipe: boolean;
  minDiskBytes: number;
}

/** Per node and deployment, so two nodes' disks never share a filesystem UUID, and a rebuilt node gets the same. */
export function diskIds(deployment: string, node: string): { rootUuid: string; espId: string } {
  const h = sha256Text(`kubedos disk ${deployment} ${node}`);
  const rootUuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return { rootUuid, espId: h.slice(32, 40) };
}

export function seedEnv(s: SeedSettings): string {
  const { rootUuid, espId } = diskIds(s.deployment, s.node);
  for (const [k, v] of Object.entries({ deployment: s.deployment, node: s.node, disk: s.disk })) {
    if (!/^[A-Za-z0-9._:/-]+$/.test(v)) throw new Error(`seed ${k} ${v} has characters the installer does not read`);
  }
  return [
    `KUBEDOS_DEPLOYMENT=${s.deployment}`,
    `KUBEDOS_NODE=${s.node}`,
    `KUBEDOS_DISK=${s.disk}`,
    `KUBEDOS_WIPE=${s.wipe ? 1 : 0}`,
    `KUBEDOS_MIN_DISK_BYTES=${s.minDiskBytes}`,
    `KUBEDOS_ROOT_UUID=${rootUuid}`,
    `KUBEDOS_ESP_ID=${espId}`,
    '',
  ].join('\n');
}

/** Writes the node's seed ISO to `output` (0600), atomically. Returns its sha256. */
export async function writeSeedMedium(opts: {
  output: string;
  settings: SeedSettings;
  files: SeedFile[];
  epoch: number;
}): Promise<string> {
  const work = fs.mkdtempSync(path.join(path.dirname(opts.output), `.seed-${opts.settings.node}-`));
  try {
    fs.chmodSync(work, 0o700);
    const tree = path.join(work, 'tree');
    for (const f of opts.files) {
      const target = path.join(tree, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      fs.writeFileSync(target, f.content, { mode: f.mode });
      fs.chmodSync(target, f.mode);
      for (let d = path.dirname(f.path); f.privateFrom && d.startsWith(f.privateFrom); d = path.dirname(d))
        fs.chmodSync(path.join(tree, d), 0o700);
    }
    const media = path.join(work, 'media');
    fs.mkdirSync(media);
    const names = listTree(tree);
    await run('tar', [
      '--create',
      '--file',
      path.join(media, 'seed.tar'),
      '--directory',
      tree,
      '--sort=name',
      '--format=gnu',
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      `--mtime=@${opts.epoch}`,
      '--no-recursion',
      ...names,
    ]);
    fs.writeFileSync(path.join(media, 'seed.env'), seedEnv(opts.settings));
    const tmp = `${opts.output}.${process.pid}.partial`;
    await execa(
      'xorriso',
      [
        '-as', 'mkisofs', '-quiet', '-r', '-J',
        '-V', SEED_LABEL,
        '--set_all_file_dates', `=${opts.epoch}`,
        '-o', tmp,
        media,
      ],
      { env: { SOURCE_DATE_EPOCH: String(opts.epoch) } },
    ); // prettier-ignore
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, opts.output);
    return sha256File(opts.output);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Every path under dir, parents before children, relative, for tar in a fixed order. */
function listTree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    out.push(r);
    if (e.isDirectory()) out.push(...listTree(dir, r));
  }
  return out;
}
