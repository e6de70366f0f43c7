import fs from 'node:fs';
import path from 'node:path';

/**
 * The package names a darksite (a signed APT repository folder: dists/,
 * pool/) carries, read from its indexes. The hub reads the master's own
 * copy to know which tasks can run; the image builder records it.
 */
export function darksitePackageNames(darksiteDir: string): string[] {
  return Object.keys(darksitePackages(darksiteDir)).sort();
}

/** Each package the darksite carries, with every version of it its indexes list. */
export function darksitePackages(darksiteDir: string): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const dists = path.join(darksiteDir, 'dists');
  for (const suite of fs.readdirSync(dists)) {
    const index = path.join(dists, suite, 'main', 'binary-amd64', 'Packages');
    if (!fs.existsSync(index)) continue;
    for (const stanza of fs.readFileSync(index, 'utf8').split(/\n\s*\n/)) {
      const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
      if (!name) continue;
      const version = /^Version: (\S+)$/m.exec(stanza)?.[1] ?? '';
      const versions = (found[name] ??= []);
      if (!versions.includes(version)) versions.push(version);
    }
  }
  return found;
}
