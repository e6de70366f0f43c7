import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { walk } from '../apt-snapshot.ts';
import { debField } from '../extra-debs.ts';
import { run } from '../tools.ts';
import { dpkgBuild, type KubeDeb } from './kube-debs.ts';

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

/** A repacked package, and the version of Debian's it was made from. */
export interface RepackedDeb extends KubeDeb {
  debianVersion: string;
}

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
}): Promise<RepackedDeb[]> {
  const debs: RepackedDeb[] = [];
  for (const [pkg, programs] of Object.entries(PROGRAMS)) {
    const from = opts.debian[pkg];
    if (!from) throw new Error(`no Debian ${pkg} to repack`);
    const root = path.join(opts.workDir, pkg);
    fs.rmSync(root, { recursive: true, force: true });
    await run('dpkg-deb', ['--raw-extract', from, root]);
    const debianVersion = await debField(from, 'Version');
    for (const p of programs) {
      const dest = path.join(root, 'usr/bin', p);
      if (!fs.existsSync(dest)) throw new Error(`Debian's ${pkg} ${debianVersion} has no /usr/bin/${p}`);
      fs.copyFileSync(path.join(opts.binDir, p), dest);
      fs.chmodSync(dest, 0o755);
      fs.utimesSync(dest, opts.epoch, opts.epoch);
    }
    const version = `${opts.version}-${opts.debRevision}`;
    // The payload's regular files (DEBIAN/ is the package's control, not its contents).
    const files = walk(root).filter((f) => !f.startsWith('DEBIAN/') && fs.lstatSync(path.join(root, f)).isFile());
    writeControl(root, version, debianVersion, files);
    writeMd5sums(root, files);
    const file = await dpkgBuild(root, opts.outDir, pkg, version, opts.epoch);
    fs.rmSync(root, { recursive: true, force: true });
    debs.push({ package: pkg, file, debianVersion });
  }
  return debs;
}

/** Debian's control with kubedos's version and size, and no claim about which Debian sources built the programs. */
function writeControl(root: string, version: string, debianVersion: string, files: readonly string[]): void {
  const file = path.join(root, 'DEBIAN', 'control');
  const kb = Math.ceil(files.reduce((n, f) => n + fs.statSync(path.join(root, f)).size, 0) / 1024);
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

function writeMd5sums(root: string, files: readonly string[]): void {
  const sums = files.map(
    (f) =>
      `${createHash('md5')
        .update(fs.readFileSync(path.join(root, f)))
        .digest('hex')}  ${f}`,
  );
  fs.writeFileSync(path.join(root, 'DEBIAN', 'md5sums'), `${sums.join('\n')}\n`);
}
