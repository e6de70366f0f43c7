import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../shared/errors.ts';
import { sha256File } from './hash.ts';
import { run } from './tools.ts';

/** A .deb from the operator's folder of packages that are not in Debian's archive. */
export interface ExtraDeb {
  package: string;
  file: string;
  sha256: string;
}

/** One field of a .deb's control file ("Package", "Version"), as dpkg-deb reads it. */
export async function debField(file: string, field: string): Promise<string> {
  return (await run('dpkg-deb', ['--field', file, field])).stdout.trim();
}

/**
 * The wanted packages the folder has, and the ones it has not: for a build
 * where a missing package is not an error but a phase the platform skips
 * (kubeadm and grafana are not in Debian; without them the platform
 * converges without Kubernetes and says so).
 */
export async function findExtraDebs(
  dir: string | undefined,
  wanted: readonly string[],
): Promise<{ found: ExtraDeb[]; missing: string[] }> {
  if (!dir || wanted.length === 0) return { found: [], missing: [...wanted] };
  const found = await scanFolder(dir, wanted);
  return { found: wanted.flatMap((p) => found.get(p) ?? []), missing: wanted.filter((p) => !found.has(p)) };
}

async function scanFolder(dir: string, wanted: readonly string[]): Promise<Map<string, ExtraDeb>> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.deb'));
  } catch (err) {
    throw new UserError(
      `cannot read --extra-debs folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const found = new Map<string, ExtraDeb>();
  for (const name of names.sort()) {
    const file = path.resolve(dir, name);
    const pkg = await checkedPackage(file);
    if (wanted.includes(pkg) && !found.has(pkg)) found.set(pkg, { package: pkg, file, sha256: await sha256File(file) });
  }
  return found;
}

/** Architectures a node can install. */
const NODE_ARCHITECTURES = ['amd64', 'all'];

/**
 * The package a file in the folder is, once dpkg-deb has read it as a
 * well-formed .deb with a package name, a version and an architecture a node
 * installs; anything else is refused in one line naming the file, before
 * it is signed into the darksite.
 */
async function checkedPackage(file: string): Promise<string> {
  let fields: Record<string, string>;
  try {
    const out = (await run('dpkg-deb', ['--field', file, 'Package', 'Version', 'Architecture'])).stdout;
    fields = Object.fromEntries(
      out
        .split('\n')
        .map((l) => /^([A-Za-z-]+):\s*(.*)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1]!, m[2]!.trim()]),
    );
  } catch {
    throw new UserError(
      `--extra-debs: ${file} is not a well-formed .deb (dpkg-deb cannot read its control file)`,
      'remove it from the folder, or put the real package there',
    );
  }
  const pkg = fields.Package ?? '';
  if (!/^[a-z0-9][a-z0-9+.-]+$/.test(pkg) || !fields.Version)
    throw new UserError(`--extra-debs: ${file} has no valid Package and Version in its control file`);
  if (!NODE_ARCHITECTURES.includes(fields.Architecture ?? ''))
    throw new UserError(
      `--extra-debs: ${file} is for architecture ${JSON.stringify(fields.Architecture ?? '')}; the nodes are amd64`,
      'put the amd64 (or all) build of the package there',
    );
  return pkg;
}

/**
 * Picks the .deb for every wanted package from the folder. Any wanted package
 * not there is an error that names all of them at once, so the operator fixes
 * the folder in one go instead of one rebuild per missing file.
 */
export async function selectExtraDebs(dir: string | undefined, wanted: readonly string[]): Promise<ExtraDeb[]> {
  if (wanted.length === 0) return [];
  if (!dir) {
    throw new UserError(
      `the topology needs packages that are not in Debian's archive: ${wanted.join(', ')}`,
      'pass --extra-debs <folder> holding their .deb files',
    );
  }
  const found = await scanFolder(dir, wanted);
  const missing = wanted.filter((p) => !found.has(p));
  if (missing.length > 0) {
    throw new UserError(
      `--extra-debs folder ${dir} has no .deb for package ${missing[0]}; ` +
        `packages still missing (${missing.length} of ${wanted.length}): ${missing.join(', ')}`,
    );
  }
  return wanted.map((p) => found.get(p)!);
}
