import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../tools.ts';
import type { KubeDeb } from './kube-debs.ts';

/**
 * Debian 13's etcd-server and etcd-client with the pinned etcd inside:
 * kubeadm 1.35 refuses an external etcd older than 3.5.24, and Debian 13
 * ships 3.5.16. Debian's own packages are taken apart (dpkg-deb -R) and
 * their programs replaced by the ones built from go.etcd.io/etcd, so the
 * unit, the /etc/default/etcd the hub writes, the etcd user the postinst
 * makes and the init script stay Debian's. The version says both:
 * 3.6.6-0kubedos1, above Debian's, so apt takes it from the darksite.
 */
const PROGRAMS: Record<string, string[]> = {
  'etcd-server': ['etcd', 'etcdutl'],
  'etcd-client': ['etcdctl'],
};

export const ETCD_PACKAGES = Object.keys(PROGRAMS);

export async function repackEtcdDebs(opts: {
  /** Package name → Debian's .deb. */
  debian: Record<string, string>;
  binDir: string;
  /** etcd's version without its "v" ("3.6.6"). */
  version: string;
  debRevision: string;
  epoch: number;
  workDir: string;
  outDir: string;
}): Promise<KubeDeb[]> {
  const debs: KubeDeb[] = [];
  for (const [pkg, programs] of Object.entries(PROGRAMS)) {
    const from = opts.debian[pkg];
    if (!from) throw new Error(`no Debian ${pkg} to repack`);
    const root = path.join(opts.workDir, pkg);
    fs.rmSync(root, { recursive: true, force: true });
    await run('dpkg-deb', ['--raw-extract', from, root]);
    const debianVersion = (await run('dpkg-deb', ['--field', from, 'Version'])).stdout.trim();
    for (const p of programs) {
      const dest = path.join(root, 'usr/bin', p);
      if (!fs.existsSync(dest)) throw new Error(`Debian's ${pkg} ${debianVersion} has no /usr/bin/${p}`);
      fs.copyFileSync(path.join(opts.binDir, p), dest);
      fs.chmodSync(dest, 0o755);
      fs.utimesSync(dest, opts.epoch, opts.epoch);
    }
    const version = `${opts.version}-${opts.debRevision}`;
    writeControl(root, version, debianVersion);
    writeMd5sums(root);
    const file = path.join(opts.outDir, `${pkg}_${version}_amd64.deb`);
    await run('dpkg-deb', ['--root-owner-group', '-Zzstd', '--build', root, file], {
      env: { SOURCE_DATE_EPOCH: String(opts.epoch) },
    });
    fs.rmSync(root, { recursive: true, force: true });
    debs.push({ package: pkg, file });
  }
  return debs;
}

/** Debian's control with kubedos's version and size, and no claim about which Debian sources built the programs. */
function writeControl(root: string, version: string, debianVersion: string): void {
  const file = path.join(root, 'DEBIAN', 'control');
  const kb = Math.ceil(sizeOf(root) / 1024);
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const field = /^([A-Za-z-]+):/.exec(line)?.[1];
    if (field === 'Static-Built-Using' || field === 'Built-Using') {
      while (lines[i + 1]?.startsWith(' ')) i++;
      continue;
    }
    if (field === 'Version') out.push(`Version: ${version}`);
    else if (field === 'Installed-Size') out.push(`Installed-Size: ${kb}`);
    else if (field === 'Maintainer') out.push('Maintainer: kubedos <kubedos@localhost>');
    else out.push(line);
  }
  out.push(' .', ` Debian's ${debianVersion} package with etcd v${version.split('-')[0]} built by kubedos`);
  out.push(' from go.etcd.io/etcd (its Go modules, verified by go.sum).');
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

function writeMd5sums(root: string): void {
  const sums: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(root, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = path.join(rel, e.name);
      if (r === 'DEBIAN') continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile())
        sums.push(
          `${createHash('md5')
            .update(fs.readFileSync(path.join(root, r)))
            .digest('hex')}  ${r}`,
        );
    }
  };
  walk('');
  fs.writeFileSync(path.join(root, 'DEBIAN', 'md5sums'), `${sums.join('\n')}\n`);
}

function sizeOf(root: string): number {
  let n = 0;
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    if (e.name === 'DEBIAN') continue;
    const p = path.join(root, e.name);
    n += e.isDirectory() ? sizeOf(p) : e.isFile() ? fs.statSync(p).size : 0;
  }
  return n;
}
