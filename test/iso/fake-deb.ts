import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A tiny .deb standing in for an operator-supplied package (kubelet); it depends on a Debian package so the closure goes through it. */
export function makeFakeDeb(dir: string, name: string, depends?: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `kdi-deb-${name}-`));
  fs.mkdirSync(path.join(root, 'DEBIAN'));
  fs.mkdirSync(path.join(root, 'usr', 'share', 'doc', name), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr', 'share', 'doc', name, 'README'), `${name} stand-in for tests\n`);
  fs.writeFileSync(
    path.join(root, 'DEBIAN', 'control'),
    `Package: ${name}\nVersion: 1.31.4-1.1\nArchitecture: amd64\nMaintainer: kubedos tests <tests@kubedos.invalid>\n` +
      `${depends ? `Depends: ${depends}\n` : ''}Description: ${name} stand-in for tests\n`,
  );
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${name}_1.31.4-1.1_amd64.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, out], {
    stdio: 'ignore',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1735689600' },
  });
  fs.rmSync(root, { recursive: true, force: true });
  return out;
}
