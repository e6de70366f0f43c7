import fs from 'node:fs';
import path from 'node:path';

/**
 * The package names a darksite (a signed APT repository folder: dists/,
 * pool/) carries, read from its indexes. The hub reads the master's own
 * copy to know which tasks can run; the image builder records it.
 */
export function darksitePackageNames(darksiteDir: string): string[] {
  const names = new Set<string>();
  const dists = path.join(darksiteDir, 'dists');
  for (const suite of fs.readdirSync(dists)) {
    const index = path.join(dists, suite, 'main', 'binary-amd64', 'Packages');
    if (!fs.existsSync(index)) continue;
    for (const m of fs.readFileSync(index, 'utf8').matchAll(/^Package: (\S+)$/gm)) names.add(m[1]!);
  }
  return [...names].sort();
}
