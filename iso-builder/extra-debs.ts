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

async function packageName(file: string): Promise<string> {
  return (await run('dpkg-deb', ['--field', file, 'Package'])).stdout.trim();
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
    const pkg = await packageName(file);
    if (wanted.includes(pkg) && !found.has(pkg)) found.set(pkg, { package: pkg, file, sha256: await sha256File(file) });
  }
  const missing = wanted.filter((p) => !found.has(p));
  if (missing.length > 0) {
    throw new UserError(
      `--extra-debs folder ${dir} has no .deb for package ${missing[0]}; ` +
        `packages still missing (${missing.length} of ${wanted.length}): ${missing.join(', ')}`,
    );
  }
  return wanted.map((p) => found.get(p)!);
}
